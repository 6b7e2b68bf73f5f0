//! `harden proxy`: an Engine API proxy that every client (Compose, Testcontainers, CI runners,
//! the Docker CLI) can be pointed at. Requests at the doors to privilege ([`route::Door`]) are
//! read whole and judged ([`Judge`]); everything else passes through untouched and unbuffered.

mod conn;
mod http;
pub mod judge;
pub mod policy;
pub mod route;
pub mod server;

pub use judge::{Judge, JudgeFuture, JudgedRequest, PassThrough, PeerInfo, Verdict};
pub use policy::PolicyJudge;
