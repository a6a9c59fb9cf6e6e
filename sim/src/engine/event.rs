//! The events of the simulation: a plain `Copy` enum of small ids (12 bytes), matched on by the
//! world. Ids index into `Vec`s (clients, requests, backend jobs); `token`/`gen` fields detect
//! events that refer to an attempt or job that has since moved on (lazy cancellation: a stale
//! event is popped and ignored instead of being removed from the heap).

/// One scheduled happening.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A client's next logical request arrives (open loop), or a closed-loop client's think
    /// time is over.
    Arrival {
        /// Global client index.
        client: u32,
    },
    /// A retry wait is over: send the next attempt of a logical request.
    Send {
        /// Request slot.
        req: u32,
        /// The attempt token the wait was scheduled under.
        token: u32,
        /// The request's client (global index), carried so the send finds the client and its
        /// fleet without waiting for the request slot's cache line.
        client: u32,
    },
    /// An attempt reaches the server (after the network delay).
    ServerRecv {
        /// Request slot.
        req: u32,
        /// The attempt's token.
        token: u32,
    },
    /// A response reaches the client.
    ClientRecv {
        /// Request slot.
        req: u32,
        /// The attempt's token.
        token: u32,
    },
    /// The client's per-attempt timeout (or the request's deadline) fires.
    AttemptTimeout {
        /// Request slot.
        req: u32,
        /// The attempt's token.
        token: u32,
    },
    /// A backend job finishes its service.
    ServiceDone {
        /// Job slot.
        job: u32,
    },
    /// A queued backend job has waited its queue timeout.
    QueueTimeout {
        /// Job slot.
        job: u32,
        /// The job slot's generation when it was queued.
        gen: u32,
    },
    /// An admitted job whose limiter imposed a delay (NGINX `limit_req` `delay`) enters the
    /// backend.
    BackendEnter {
        /// Job slot.
        job: u32,
    },
    /// A hedging fleet's hedge delay is over: send another copy if nothing has answered and no
    /// copy was sent since (`token` is the latest copy's when the timer was armed).
    Hedge {
        /// Request slot.
        req: u32,
        /// The latest copy's token when armed.
        token: u32,
    },
    /// A capacity-drop fault starts or ends: the backend re-evaluates its workers.
    CapacityChange,
    /// A deployment's store answers an attempt's limit call (after its round trip).
    StoreReply {
        /// The waiting attempt's slot in the deployment.
        slot: u32,
    },
    /// A `synced` level's replica flushes its counters to the store and reads the total back.
    StoreSync {
        /// The shared level's index among the deployment's shared levels.
        level: u32,
        /// The replica.
        replica: u32,
    },
}

#[cfg(test)]
mod tests {
    #[test]
    fn events_stay_compact() {
        assert!(std::mem::size_of::<super::Event>() <= 16);
    }
}
