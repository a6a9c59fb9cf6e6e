use super::*;

#[test]
fn nodes_keep_their_line_and_column() {
    let text = "a:\n  b: [1, two]\n  c: {d: 0.5}\n";
    let root: Node = yaml("f.yaml", text).unwrap();
    let at = At::new("f.yaml", &root);
    let b = at.get("a").and_then(|a| a.get("b")).unwrap();
    assert_eq!(
        (b.node.referenced.line(), b.node.referenced.column()),
        (2, 6)
    );
    let d = at
        .get("a")
        .and_then(|a| a.get("c"))
        .and_then(|c| c.get("d"))
        .unwrap();
    assert_eq!(d.number("d").unwrap(), 0.5);
    let e = d.str("d").unwrap_err().to_string();
    assert!(e.starts_with("f.yaml:3:"), "{e}");
}

#[test]
fn syntax_errors_have_positions() {
    let e = yaml::<Node>("f.yaml", "a: [1, 2\nb: 3\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("f.yaml:"), "{e}");
    let e = json::<Node>("p.json", "{\n  \"a\": 1,\n}\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("p.json:3:1: not valid JSON"), "{e}");
}
