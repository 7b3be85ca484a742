"""Event sources (§7 streams, §8 queues): hand-worked cases, differential tests, validation."""
