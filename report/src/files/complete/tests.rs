use super::*;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("complete-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

#[test]
fn a_committed_folder_checks_and_replaces_the_previous_one_whole() {
    let root = tmp("commit");
    let dest = root.join("run");
    let s = Staged::begin(&dest).unwrap();
    write(s.dir(), &[("a.csv", "1"), ("charts/old.svg", "x")]);
    assert!(check(s.dir()).is_err(), "not sealed yet");
    s.commit().unwrap();
    check(&dest).unwrap();
    let s = Staged::begin(&dest).unwrap();
    write(s.dir(), &[("a.csv", "2")]);
    s.commit().unwrap();
    check(&dest).unwrap();
    assert!(!dest.join("charts/old.svg").exists(), "stale chart kept");
    let left: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
    assert_eq!(left.len(), 1, "temporary folders left: {left:?}");
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn kept_sub_folders_survive_the_replacement_and_nothing_else_does() {
    let root = tmp("keep");
    let dest = root.join("sweep");
    write(
        &dest,
        &[("shard-1-of-2/runs.parquet", "x"), ("stale.csv", "old")],
    );
    let s = Staged::begin(&dest).unwrap();
    s.keep("shard-1-of-2").unwrap();
    write(s.dir(), &[("runs.parquet", "merged")]);
    s.commit().unwrap();
    check(&dest).unwrap();
    assert_eq!(
        std::fs::read_to_string(dest.join("shard-1-of-2/runs.parquet")).unwrap(),
        "x"
    );
    assert!(!dest.join("stale.csv").exists(), "stale file kept");
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn folders_of_dead_writers_are_removed_at_the_next_begin() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let root = tmp("dead");
    // No process has pid u32::MAX - 1 (Linux caps pids at 2^22).
    let dead = root.join(format!(".run.partial-{}", u32::MAX - 1));
    let other = root.join(format!(".other.partial-{}", u32::MAX - 1));
    std::fs::create_dir_all(&dead).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    Staged::begin(&root.join("run")).unwrap().commit().unwrap();
    assert!(!dead.exists() && other.exists());
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn missing_truncated_changed_and_foreign_files_are_each_named() {
    let dir = tmp("problems");
    write(
        &dir,
        &[("runs.parquet", "PAR1"), ("b.csv", "abc"), ("c.csv", "x")],
    );
    seal(&dir).unwrap();
    check(&dir).unwrap();
    std::fs::write(dir.join("runs.parquet"), "").unwrap();
    std::fs::write(dir.join("b.csv"), "abd").unwrap();
    std::fs::remove_file(dir.join("c.csv")).unwrap();
    write(&dir, &[("d.csv", "other run"), ("charts/new.svg", "ok")]);
    let e = check(&dir).unwrap_err();
    let text = e.to_string();
    assert_eq!(e.problems.len(), 4, "{text}");
    assert!(
        text.contains("runs.parquet has 0 bytes, 4 were written"),
        "{text}"
    );
    assert!(
        text.contains("b.csv is not the file that was written"),
        "{text}"
    );
    assert!(text.contains("c.csv is missing"), "{text}");
    assert!(
        text.contains("d.csv was not written with the rest"),
        "{text}"
    );
    std::fs::remove_file(dir.join(MARKER)).unwrap();
    assert!(check(&dir)
        .unwrap_err()
        .to_string()
        .contains("no complete.json"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn shards_and_hidden_folders_are_not_part_of_their_parent() {
    let dir = tmp("shards");
    write(
        &dir,
        &[("sweep.json", "{}"), ("shard-1-of-2/runs.parquet", "x")],
    );
    write(&dir, &[(".shard-2-of-2.partial-1/runs.parquet", "")]);
    seal(&dir).unwrap();
    check(&dir).unwrap();
    let seal: Seal =
        serde_json::from_str(&std::fs::read_to_string(dir.join(MARKER)).unwrap()).unwrap();
    assert_eq!(seal.files.keys().collect::<Vec<_>>(), ["sweep.json"]);
    std::fs::remove_dir_all(dir).unwrap();
}
