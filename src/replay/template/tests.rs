use super::*;

#[test]
fn nginx_combined_line() {
    let t = Template::new(NGINX_COMBINED, Syntax::Nginx).unwrap();
    let line = r#"203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orgs/7/items?page=2 HTTP/1.1" 429 12 "-" "curl/8.0 \x22x\x22""#;
    let r = t.parse(line).unwrap();
    assert_eq!(r.ip, "203.0.113.9");
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/v1/orgs/7/items");
    assert_eq!(r.status, 429);
    assert_eq!(r.time, 971_211_336_000_000_000);
    assert_eq!(r.header("User-Agent"), Some(r"curl/8.0 \x22x\x22"));
}

#[test]
fn nginx_user_format_with_header_and_msec() {
    let t = Template::new(
        "$msec $remote_addr \"$request\" $status key=$http_x_api_key rt=$sent_http_retry_after",
        Syntax::Nginx,
    )
    .unwrap();
    let r = t
        .parse("1700000000.250 10.1.2.3 \"POST /a HTTP/1.1\" 200 key=abc rt=-")
        .unwrap();
    assert_eq!(r.time, 1_700_000_000_250_000_000);
    assert_eq!(r.header("x-api-key"), Some("abc"));
    assert_eq!(r.field("sent_http_retry_after"), Some("-"));
}

#[test]
fn envoy_default_line() {
    let t = Template::new(ENVOY_DEFAULT, Syntax::Envoy).unwrap();
    let line = r#"[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28, 10.0.0.1" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80""#;
    let r = t.parse(line).unwrap();
    assert_eq!(r.time, 1_460_751_420_310_000_000);
    assert_eq!(r.ip, "10.0.35.28");
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/api/v1/locations");
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("X-Request-Id"),
        Some("cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2")
    );
}

#[test]
fn bad_lines_say_where() {
    let t = Template::new(NGINX_COMBINED, Syntax::Nginx).unwrap();
    let e = t.parse("garbage").unwrap_err();
    assert_eq!(e, "column 1: expected ` - ` after $remote_addr");
    let e = t
        .parse(r#"1.2.3.4 - - [99/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "-""#)
        .unwrap_err();
    assert!(e.contains("column 14") && e.contains("not a time"), "{e}");
    let e = t
        .parse(r#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 2x0 1 "-" "-""#)
        .unwrap_err();
    assert!(e.contains("not an HTTP status"), "{e}");
}

#[test]
fn formats_that_cannot_be_parsed_back_are_refused() {
    let e = Template::new("$time_local$status", Syntax::Nginx).unwrap_err();
    assert!(e.contains("nothing between"), "{e}");
    let e = Template::new("$remote_addr $status", Syntax::Nginx).unwrap_err();
    assert!(e.contains("no time variable"), "{e}");
    assert!(Template::new("%START_TIME", Syntax::Envoy).is_err());
}
