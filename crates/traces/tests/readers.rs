//! The readers on small files with known answers, and their errors' positions.

use std::path::PathBuf;

use lambda_core_traces::csv::{read_csv, Column, Kind, Spec};
use lambda_core_traces::{azure2019_invocations, azure2021, cloudwatch, request_log, Error};

fn file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lambda_core_traces_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn numbers(c: &Option<Column>) -> Vec<f64> {
    match c {
        Some(Column::Number(v)) => v.clone(),
        other => panic!("not a number column: {other:?}"),
    }
}

fn texts(c: &Option<Column>) -> (Vec<u32>, Vec<String>) {
    match c {
        Some(Column::Text(v, t)) => (v.clone(), t.names()),
        other => panic!("not a text column: {other:?}"),
    }
}

fn row_error(e: Error) -> (u64, u64, String, String) {
    match e {
        Error::Row { line, column, name, message, .. } => (line, column, name, message),
        other => panic!("not a row error: {other}"),
    }
}

#[test]
fn azure2021_columns() {
    let p = file("a.csv", "app,func,end_timestamp,duration\nA,f,1.5,0.5\nA,g,3,1\r\nB,f,4.25,0.25\n\n");
    let t = azure2021(&p).unwrap();
    assert_eq!(t.rows, 3);
    assert_eq!(texts(&t.columns[0]), (vec![0, 0, 1], vec!["A".into(), "B".into()]));
    assert_eq!(texts(&t.columns[1]), (vec![0, 1, 0], vec!["f".into(), "g".into()]));
    assert_eq!(numbers(&t.columns[2]), [1.5, 3.0, 4.25]);
    assert_eq!(numbers(&t.columns[3]), [0.5, 1.0, 0.25]);
}

#[test]
fn bad_rows_name_line_column_and_name() {
    let p = file("b.csv", "app,func,end_timestamp,duration\nA,f,1.5,0.5\nA,f,x,0.5\n");
    let (line, column, name, message) = row_error(azure2021(&p).unwrap_err());
    assert_eq!((line, column, name.as_str()), (3, 3, "end_timestamp"));
    assert!(message.contains("'x' is not a number"), "{message}");
    let p = file("c.csv", "app,func,end_timestamp,duration\nA,f,1.5\n");
    let (line, _, _, message) = row_error(azure2021(&p).unwrap_err());
    assert_eq!(line, 2);
    assert!(message.contains("3 fields, but the header has 4"), "{message}");
    let p = file("d.csv", "app,func,end,duration\n");
    let e = azure2021(&p).unwrap_err();
    assert!(e.to_string().contains("no column 'end_timestamp'"), "{e}");
    assert!(e.to_string().starts_with(&format!("{}, line 1, column 1", p.display())), "{e}");
}

#[test]
fn quoted_fields_and_a_record_over_two_lines() {
    let p = file("q.csv", "x,name,y\n1,\"a,b\",2\n3,\"two\nlines\",4\n5,\"say \"\"hi\"\"\",6\n");
    let specs = [Spec::required("x", Kind::Number), Spec::required("name", Kind::Text), Spec::required("y", Kind::Count)];
    let t = read_csv(&p, &specs, None).unwrap();
    assert_eq!(texts(&t.columns[1]).1, ["a,b", "two\nlines", "say \"hi\""]);
    assert_eq!(numbers(&t.columns[0]), [1.0, 3.0, 5.0]);
    let p = file("u.csv", "x,name,y\n1,\"open,2\n");
    let (line, _, _, message) = row_error(read_csv(&p, &specs, None).unwrap_err());
    assert_eq!(line, 2);
    assert!(message.contains("not closed"), "{message}");
}

#[test]
fn azure2019_minute_matrix() {
    let p = file("i.csv", "HashOwner,HashApp,HashFunction,Trigger,1,2,3\no,a,f,http,1,0,2\no,a,g,timer,0,5,0\n");
    let t = azure2019_invocations(&p).unwrap();
    assert_eq!(t.matrix_names, ["1", "2", "3"]);
    assert_eq!(t.matrix, [1, 0, 2, 0, 5, 0]);
    let p = file("j.csv", "HashOwner,HashApp,HashFunction,Trigger,1,2\no,a,f,http,1,-2\n");
    let (line, column, name, _) = row_error(azure2019_invocations(&p).unwrap_err());
    assert_eq!((line, column, name.as_str()), (2, 6, "2"));
}

#[test]
fn request_log_flags_and_optional_columns() {
    let p = file("r.csv", ",is_cold,cpu_info,inst_id,aws_duration,client_start_time\n0,True,\"2,Intel\",s1,1862.3,100.5\n1,False,\"2,Intel\",s1,1800,101\n");
    let t = request_log(&p).unwrap();
    assert_eq!(t.rows, 2);
    assert_eq!(numbers(&t.columns[0]), [100.5, 101.0]);
    assert!(t.columns[1].is_none()); // no client_elapsed_time
    assert!(matches!(&t.columns[4], Some(Column::Flag(v)) if v == &[1, 0]));
}

const COLD: &str = "REPORT RequestId: r1\tDuration: 100.00 ms\tBilled Duration: 100 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\tInit Duration: 200.50 ms\t";
const WARM: &str = "REPORT RequestId: r2\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 256 MB\tMax Memory Used: 71 MB\t";

#[test]
fn cloudwatch_text_shapes() {
    // filter-log-events --output text: the timestamp on the next line, other events skipped
    let text = format!(
        "EVENTS\te1\t1700000000500\t2024/01/01/[$LATEST]aa\tSTART RequestId: r1 Version: $LATEST\n\t1700000000000\n\
         EVENTS\te2\t1700000000600\t2024/01/01/[$LATEST]aa\t{COLD}\n\t1700000000300\n\
         EVENTS\te3\t1700000001600\t2024/01/01/[$LATEST]bb\t{WARM}\t1700000001000\n");
    let r = cloudwatch::read_text(&file("e.txt", &text)).unwrap();
    assert_eq!(r.timestamp_ms, [1_700_000_000_300.0, 1_700_000_001_000.0]);
    assert_eq!(r.duration_ms, [100.0, 20.0]);
    assert_eq!(r.init_ms[0], 200.5);
    assert!(r.init_ms[1].is_nan());
    assert_eq!(r.memory_mb, [256, 256]);
    assert_eq!(r.stream, [0, 1]);
    assert_eq!(r.streams.names(), ["2024/01/01/[$LATEST]aa", "2024/01/01/[$LATEST]bb"]);
    // aws logs tail, and an export without streams
    let text = format!("2023-11-14T22:13:20.300000+00:00 2024/01/01/[$LATEST]aa {COLD}\n2023-11-14T22:13:21Z {WARM}\n");
    let r = cloudwatch::read_text(&file("t.txt", &text)).unwrap();
    assert_eq!(r.timestamp_ms, [1_700_000_000_300.0, 1_700_000_001_000.0]);
    assert_eq!(r.stream, [0, u32::MAX]);
    let warm = WARM.replace("20.00 ms", "2O.00 ms");
    let bad = format!("2023-11-14T22:13:21Z {warm}\n");
    let (line, column, name, _) = row_error(cloudwatch::read_text(&file("x.txt", &format!("{COLD_LINE}\n{bad}"))).unwrap_err());
    assert_eq!((line, name.as_str()), (2, "Duration"));
    assert_eq!(column, 21 + warm.find("2O").unwrap() as u64 + 1);
}

const COLD_LINE: &str = "1700000000300 nothing-but-a-stream START RequestId: r1";

#[test]
fn cloudwatch_json() {
    let json = serde_text(&[(1_700_000_000_300u64, COLD, "s1"), (1_700_000_000_400, "START RequestId: r3", "s1"), (1_700_000_001_000, WARM, "s2")]);
    let r = cloudwatch::read_json(&file("e.json", &format!("{{\"events\": {json}, \"searchedLogStreams\": []}}"))).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r.stream, [0, 1]);
    assert_eq!(r.init_ms[0], 200.5);
    let r = cloudwatch::read_json(&file("a.json", &json)).unwrap();
    assert_eq!(r.duration_ms, [100.0, 20.0]);
    let e = cloudwatch::read_json(&file("n.json", "{\"events\": [\n{\"message\": \"REPORT RequestId: x Duration: 1 ms\"}\n]}")).unwrap_err();
    let (line, _, name, message) = row_error(e);
    assert_eq!((line, name.as_str()), (2, "timestamp"));
    assert!(message.contains("event 0"), "{message}");
    let e = cloudwatch::read_json(&file("s.json", "{\"events\": [1, }")).unwrap_err();
    assert_eq!(row_error(e).0, 1);
}

fn serde_text(events: &[(u64, &str, &str)]) -> String {
    let items: Vec<String> = events
        .iter()
        .map(|(t, m, s)| format!("{{\"timestamp\": {t}, \"message\": \"{}\\n\", \"logStreamName\": \"{s}\", \"eventId\": \"x\"}}", m.replace('\t', "\\t")))
        .collect();
    format!("[{}]", items.join(",\n"))
}

#[test]
fn negative_durations_are_refused_where_they_are() {
    let p = file("n.csv", "app,func,end_timestamp,duration\nA,f,1.5,0.5\nA,f,2,-0.25\n");
    let (line, column, name, message) = row_error(azure2021(&p).unwrap_err());
    assert_eq!((line, column, name.as_str()), (3, 4, "duration"));
    assert!(message.contains("negative"), "{message}");
}
