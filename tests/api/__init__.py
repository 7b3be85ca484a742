"""The public API and the Python/Rust boundary, the README's examples."""
