//! jetdeck: a terminal operations console for NATS JetStream, and the broker library it is
//! built on.

pub mod bench;
pub mod broker;
pub mod connect;
pub mod console;
pub mod logging;
pub mod server;
pub mod validate;
