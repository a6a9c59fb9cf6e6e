//! Admitted work outlives its client (check-requests item 4, seed 004 "runs twice"): a client
//! that gives up before the answer does not cancel the backend part; the server finishes it,
//! keeps the idempotent response, and a retry meets the still-running first attempt (409) or
//! replays its stored answer, as in the simulator.

// live mode: built with the `live` feature (the default)
#![cfg(feature = "live")]

use crate::live_common;

use live_common::{client, header, Server};
use std::time::Duration;

#[tokio::test]
async fn a_request_whose_client_disconnected_still_completes_and_is_replayed() {
    let srv = Server::start(&["--service-time", "1500ms", "--deadline", "10s"]);
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let post = |c: &reqwest::Client| {
        c.post(srv.url("/v1/work"))
            .header("authorization", srv.bearer("key-0"))
            .header("content-type", "application/json")
            .header("idempotency-key", "abandoned-0001")
            .body("{}")
            .send()
    };
    let gone = post(&impatient).await;
    assert!(
        gone.as_ref().is_err_and(|e| e.is_timeout()),
        "the client gives up first: {gone:?}"
    );
    // the first attempt still runs on the server: a retry with the same key is a 409
    let r = post(&client()).await.expect("retry");
    assert_eq!(r.status(), 409, "the abandoned attempt is still executing");
    // once it has finished, its stored response is replayed
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let r = post(&client()).await.expect("replay");
    assert_eq!(r.status(), 200);
    assert_eq!(
        header(&r, "x-idempotent-replay"),
        "true",
        "the abandoned attempt completed and was stored"
    );
}
