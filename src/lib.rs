//! jetdeck: a terminal operations console for NATS JetStream, and the broker library it is
//! built on.
//!
//! The library is [`broker`] (the JetStream broker), [`server`] (starts and stops a real
//! nats-server, for tests and embedded use) and [`connect`] (connection settings the way
//! NATS users give them: flags, environment, natscli contexts). With
//! `default-features = false` that is all that is compiled; the default `console` feature
//! adds the terminal console and the `jetdeck` command.

pub mod broker;
pub mod connect;
pub mod deadletters;
pub mod diagnosis;
pub mod server;

// The `jetdeck` command's own modules. They are public only because the binary
// (src/main.rs) is a separate crate that calls them; they are not a library API, so they
// are hidden from the documentation and need the `console` feature.
#[cfg(feature = "console")]
#[doc(hidden)]
pub mod bench;
#[cfg(feature = "console")]
#[doc(hidden)]
pub mod config;
#[cfg(feature = "console")]
#[doc(hidden)]
pub mod console;
#[cfg(feature = "console")]
#[doc(hidden)]
pub mod logging;
#[cfg(feature = "console")]
#[doc(hidden)]
pub mod validate;
