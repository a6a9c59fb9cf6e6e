use super::*;

#[test]
fn point_values_are_nested_loops() {
    let params = vec![
        Param {
            path: "a".into(),
            values: vec![1.into(), 2.into()],
        },
        Param {
            path: "b".into(),
            values: vec!["x".into(), "y".into(), "z".into()],
        },
    ];
    let all: Vec<String> = (0..6)
        .map(|i| label(&params, &point_values(&params, i)))
        .collect();
    assert_eq!(all[0], "a=1, b=x");
    assert_eq!(all[2], "a=1, b=z");
    assert_eq!(all[3], "a=2, b=x");
    assert_eq!(all[5], "a=2, b=z");
}

#[test]
fn merge_lets_the_command_line_win() {
    let file = vec![Param {
        path: "a".into(),
        values: vec![1.into()],
    }];
    let cli = vec![
        Param {
            path: "b".into(),
            values: vec![3.into()],
        },
        Param {
            path: "a".into(),
            values: vec![2.into()],
        },
    ];
    let m = merge(file, &cli).unwrap();
    assert_eq!(
        m.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(m[0].values, vec![2.into()]);
    let twice = vec![cli[0].clone(), cli[0].clone()];
    assert!(merge(vec![], &twice).is_err());
}

#[test]
fn hash_depends_on_every_input() {
    let p = vec![Param {
        path: "a".into(),
        values: vec![1.into()],
    }];
    let h = hash_of("x", &p, &[1, 2]);
    assert_eq!(h.len(), 16);
    assert_eq!(h, hash_of("x", &p, &[1, 2]));
    assert_ne!(h, hash_of("y", &p, &[1, 2]));
    assert_ne!(h, hash_of("x", &p, &[1, 3]));
    assert_ne!(h, hash_of("x", &[], &[1, 2]));
}
