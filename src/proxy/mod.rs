//! `harden proxy`: an Engine API proxy that every client (Compose, Testcontainers, CI runners,
//! the Docker CLI) can be pointed at. Requests at the doors to privilege ([`route::Door`]) are
//! read whole and judged ([`Judge`]); the container doors' JSON bodies are read as the engine
//! reads them ([`body`]); everything else passes through untouched and unbuffered.

pub mod body;
mod conn;
pub mod grpc;
mod http;
pub mod judge;
pub mod policy;
pub mod route;
pub mod server;

pub use judge::{Judge, JudgeFuture, JudgedRequest, PassThrough, PeerInfo, Verdict};
pub use policy::PolicyJudge;
