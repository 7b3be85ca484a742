//! The reader on several threads against the one-thread reader, on random files: the same
//! columns, the same dictionaries, the same first error.

use std::path::{Path, PathBuf};

use lambda_core_traces::csv::{read_csv_on, Kind, Spec, Threads};

fn file(name: &str, text: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lambda_core_traces_parallel_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A small deterministic generator (xorshift64*), so that a failing case can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

const SPECS: &[Spec] = &[
    Spec::required("name", Kind::Text),
    Spec::required("x", Kind::Number),
    Spec::optional("d", Kind::Duration),
    Spec::required("n", Kind::Count),
    Spec::required("ok", Kind::Flag),
    Spec::required("other", Kind::Text),
];

/// How a random file may go wrong or be unusual, in thousandths of its fields or rows.
struct Shape {
    quotes: u64,
    newlines_in_quotes: u64,
    bad: u64,
}

fn field(rng: &mut Rng, column: usize, shape: &Shape) -> Vec<u8> {
    let mut v: Vec<u8> = match column {
        0 | 5 => format!("v{}", rng.below(if column == 0 { 40 } else { 3000 })).into_bytes(),
        1 => format!("{}", (rng.next() % 2_000_000) as f64 / 1000.0 - 1000.0).into_bytes(),
        2 => format!("{}.{:03}", rng.below(100), rng.below(1000)).into_bytes(),
        3 => format!("{}", rng.below(1 << 20)).into_bytes(),
        4 => [&b"True"[..], b"false", b"1", b"0"][rng.below(4) as usize].to_vec(),
        _ => b"skipped".to_vec(),
    };
    if rng.chance(shape.bad) {
        v = [&b"oops"[..], b"-1", b"", b"1.2.3"][rng.below(4) as usize].to_vec();
    }
    if rng.chance(shape.quotes) {
        let mut q = vec![b'"'];
        for &c in &v {
            q.push(c);
            if rng.chance(50) {
                q.extend_from_slice(b"\"\""); // an escaped quote: text, or a bad number
            }
        }
        if rng.chance(shape.newlines_in_quotes) {
            q.extend_from_slice(if rng.chance(500) { b"\r\n" } else { b"\n" });
        }
        q.push(b'"');
        v = q;
    }
    v
}

fn random_file(rng: &mut Rng, rows: usize, shape: &Shape) -> Vec<u8> {
    let crlf = rng.chance(300);
    let end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut text = b"name,x,d,skip,n,ok,other".to_vec();
    text.extend_from_slice(end);
    for _ in 0..rows {
        if rng.chance(30) {
            text.extend_from_slice(end); // a blank line
        }
        let fields = if rng.chance(shape.bad / 4) { 6 } else { 7 };
        let row: Vec<Vec<u8>> = (0..fields).map(|c| field(rng, [0, 1, 2, 6, 3, 4, 5][c], shape)).collect();
        text.extend_from_slice(&row.join(&b","[..]));
        text.extend_from_slice(end);
    }
    if rng.chance(300) {
        text.truncate(text.len() - end.len()); // no line end after the last row
    }
    text
}

fn agree(path: &Path, threads: Threads) {
    let one = read_csv_on(path, SPECS, None, Threads::ONE);
    let many = read_csv_on(path, SPECS, None, threads);
    match (&one, &many) {
        // Debug shows every value and each dictionary's values and table in full
        (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{} on {threads:?}", path.display()),
        (Err(a), Err(b)) => assert_eq!(a, b, "{} on {threads:?}", path.display()),
        _ => panic!("{} on {threads:?}: {one:?} but {many:?}", path.display()),
    }
}

#[test]
fn random_files_read_alike_on_one_and_several_threads() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let shapes = [
        Shape { quotes: 0, newlines_in_quotes: 0, bad: 0 },
        Shape { quotes: 100, newlines_in_quotes: 0, bad: 0 },
        Shape { quotes: 100, newlines_in_quotes: 200, bad: 0 },
        Shape { quotes: 50, newlines_in_quotes: 100, bad: 2 },
        Shape { quotes: 0, newlines_in_quotes: 0, bad: 1 },
    ];
    let (mut ok, mut errors) = (0, 0);
    for case in 0..150 {
        let shape = &shapes[case % shapes.len()];
        let rows = [0, 1, 3, 50, 400, 3000][rng.below(6) as usize];
        let path = file(&format!("r{case}.csv"), &random_file(&mut rng, rows, shape));
        let size = std::fs::metadata(&path).unwrap().len() as usize;
        // blocks of a few bytes up to more than the file (one block)
        let tiny = if size < 4000 { 1 } else { 64 };
        for bytes in [tiny, 2 + rng.below(60) as usize, 1 + rng.below(size as u64 + 1) as usize, size + 10, 8 << 20] {
            for threads in [2, 3] {
                agree(&path, Threads { threads, bytes });
            }
        }
        match read_csv_on(&path, SPECS, None, Threads::ONE) {
            Ok(_) => ok += 1,
            Err(_) => errors += 1,
        }
    }
    // the cases exercise both outcomes
    assert!(ok > 50 && errors > 20, "{ok} files read, {errors} refused");
}

#[test]
fn the_earliest_bad_row_wins() {
    let mut text = b"name,x,d,skip,n,ok,other\n".to_vec();
    for i in 0..2000 {
        let x = if i == 1500 || i == 1900 { "bad".to_owned() } else { i.to_string() };
        let n = if i == 1700 { "-3" } else { "1" };
        text.extend_from_slice(format!("a{},{x},0.5,s,{n},1,b\n", i % 7).as_bytes());
    }
    let path = file("bad.csv", &text);
    for bytes in [64, 1000, 4096, 1 << 20] {
        let e = read_csv_on(&path, SPECS, None, Threads { threads: 2, bytes }).unwrap_err();
        assert_eq!(e, read_csv_on(&path, SPECS, None, Threads::ONE).unwrap_err());
        let message = e.to_string();
        assert!(message.contains("line 1502, column 2 ('x'): 'bad' is not a number"), "{message}");
    }
}

#[test]
fn a_quoted_line_end_at_a_cut() {
    // every line end but the header's is inside a quoted field: every cut falls in one
    let mut text = b"name,x,d,skip,n,ok,other\n".to_vec();
    for i in 0..300 {
        text.extend_from_slice(format!("\"a\n{}\",{i},1,s,2,0,\"b\r\nc\"\n", i % 5).as_bytes());
    }
    let path = file("quoted.csv", &text);
    for bytes in [1, 7, 100, 5000] {
        agree(&path, Threads { threads: 2, bytes });
    }
    let t = read_csv_on(&path, SPECS, None, Threads { threads: 2, bytes: 100 }).unwrap();
    assert_eq!(t.rows, 300);
}
