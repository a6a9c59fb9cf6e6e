//! The store's side of a deployment: the shared levels' verdict on an attempt (a lease, a
//! synced replica's own counters, an over-limit cache, or a round trip to the central store,
//! with its timeout and failure mode) and the periodic syncs and lease renewals, each an event
//! on the run's one queue.

use super::{store_state, DeploymentRt, Refusal, RENEW};
use crate::engine::{Event, EventQueue};
use crate::model::OnStoreError;
use crate::server::{Admission, JobMeta};
use limiters::{LimiterError, Nanos};

impl DeploymentRt {
    /// The shared levels' verdict on an attempt at replica `r`, and the latency they add.
    pub(super) fn decide_shared(
        &mut self,
        now: Nanos,
        r: u32,
        m: &JobMeta,
    ) -> Result<(Nanos, Refusal), LimiterError> {
        let mut latency = Nanos::ZERO;
        let mut denied = None;
        for j in 0..self.shared.len() {
            let sl = &mut self.shared[j];
            let fleet = Some(m.fleet);
            let admission = if let Some(l) = sl.leases.as_mut() {
                // Decided on the replica's lease: no round trip.
                let d = l.admit(r as usize, now, m.cost);
                if d.allowed {
                    Admission::Allowed {
                        first: None,
                        delay: Nanos::ZERO,
                    }
                } else {
                    Admission::Denied {
                        status: sl.status,
                        decision: d,
                    }
                }
            } else if sl.synced() {
                let a = sl.own[r as usize].admit_as(fleet, now, m.key, m.tenant, m.cost)?;
                let allowed = matches!(a, Admission::Allowed { .. });
                if allowed {
                    sl.delta[r as usize].push((m.fleet, m.key, m.tenant, m.cost));
                }
                if sl.interval == Some(Nanos::ZERO) {
                    // Kong's `sync_rate = -1`: the usage is read from the store and the
                    // increment written on every request's way (a round trip each).
                    if allowed {
                        sl.sync(r as usize, now)?;
                    }
                    self.rec.store_call(false);
                    latency += self.rtt[j].sample(&mut self.draws);
                }
                a
            } else if let Some(d) = sl.cached(r as usize, sl.id(m.key, m.tenant), now) {
                // Refused from the replica's over-limit cache: no round trip, no store call.
                Admission::Denied {
                    status: sl.status,
                    decision: d,
                }
            } else {
                let (down, extra) = store_state(&self.cfg.events, r, now);
                let draws = &mut self.draws;
                let rtt = self.rtt[j].sample(draws) + extra;
                let timeout = sl.store.timeout;
                let late = timeout.is_some_and(|t| rtt > t);
                let central = if down {
                    None
                } else {
                    // The store decides (and counts) even a call the replica gives up on.
                    Some(sl.central.admit_as(fleet, now, m.key, m.tenant, m.cost)?)
                };
                self.rec.store_call(down || late);
                latency += match (down, late) {
                    (false, false) => rtt,
                    _ => timeout.unwrap_or(Nanos::ZERO),
                };
                if let (Some(Admission::Denied { decision, .. }), false) = (&central, late) {
                    let id = sl.id(m.key, m.tenant);
                    if let Some(cache) = sl.over.as_mut() {
                        let until = now + decision.retry_after.unwrap_or(decision.reset_after);
                        cache[r as usize].insert(id, (until, *decision));
                    }
                }
                match central {
                    Some(a) if !late => a,
                    _ => match sl.store.on_error {
                        OnStoreError::Open => Admission::Allowed {
                            first: None,
                            delay: Nanos::ZERO,
                        },
                        OnStoreError::Closed => {
                            // Envoy's filter with `failure_mode_deny` answers its
                            // `status_on_error` (500 unless set), no limit headers.
                            denied.get_or_insert((sl.store.status_on_error, None));
                            continue;
                        }
                        OnStoreError::Local => {
                            sl.own[r as usize].admit_as(fleet, now, m.key, m.tenant, m.cost)?
                        }
                    },
                }
            };
            if let Admission::Denied { status, decision } = admission {
                denied.get_or_insert((status, Some(decision)));
            }
        }
        Ok((latency, denied))
    }

    /// A periodic sync of replica `replica` for shared level `level`; schedules the next.
    pub fn store_sync(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        level: u32,
        replica: u32,
    ) -> Result<(), LimiterError> {
        let Some(sl) = self.shared.get_mut(level as usize) else {
            return Ok(());
        };
        if let Some(l) = sl.leases.as_mut() {
            if replica != RENEW {
                l.apply(replica as usize);
                return Ok(());
            }
            let n = self.cfg.replicas;
            let states: Vec<(bool, Nanos)> = (0..n)
                .map(|r| store_state(&self.cfg.events, r, now))
                .collect();
            let reachable: Vec<bool> = states.iter().map(|s| !s.0).collect();
            let grants = l.renew(&reachable);
            for r in 0..n {
                self.rec.store_call(states[r as usize].0);
                if grants[r as usize].is_some() {
                    let rtt =
                        self.rtt[level as usize].sample(&mut self.draws) + states[r as usize].1;
                    q.push(now + rtt, Event::StoreSync { level, replica: r });
                }
            }
            q.push(
                now + l.period,
                Event::StoreSync {
                    level,
                    replica: RENEW,
                },
            );
            return Ok(());
        }
        let (down, _) = store_state(&self.cfg.events, replica, now);
        if !down {
            // A replica cut off from the store keeps its delta for the next sync.
            sl.sync(replica as usize, now)?;
        }
        self.rec.store_call(down);
        if let Some(i) = sl.interval {
            q.push(now + i, Event::StoreSync { level, replica });
        }
        Ok(())
    }
}
