//! Integration tests: every one against real nats-server processes it starts itself on
//! random loopback ports, each with its own store directory.

mod common;
mod pty;

mod actions;
mod bench;
mod cli;
mod cluster;
mod connect;
mod console;
mod inspect;
mod paste;
mod pipeline;
mod publish;
mod resilience;
mod settle;
mod signals;
mod subscribe;
