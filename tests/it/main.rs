//! Integration tests: every one against real nats-server processes it starts itself on
//! random loopback ports, each with its own store directory.

mod common;
#[cfg(feature = "console")]
mod pty;

#[cfg(feature = "console")]
mod actions;
#[cfg(feature = "console")]
mod bench;
mod browse_pages;
#[cfg(feature = "console")]
mod cli;
mod cluster;
#[cfg(feature = "console")]
mod config_file;
#[cfg(feature = "console")]
mod connect;
#[cfg(feature = "console")]
mod console;
#[cfg(feature = "console")]
mod console_config;
#[cfg(feature = "console")]
mod console_dead_letters;
#[cfg(feature = "console")]
mod console_diagnosis;
#[cfg(feature = "console")]
mod console_kv;
#[cfg(feature = "console")]
mod console_kv_form;
#[cfg(feature = "console")]
mod console_messages;
#[cfg(feature = "console")]
mod console_mouse;
#[cfg(feature = "console")]
mod console_objects;
#[cfg(feature = "console")]
mod console_operations;
#[cfg(feature = "console")]
mod console_switch;
#[cfg(feature = "console")]
mod console_switch_servers;
#[cfg(feature = "console")]
mod console_tail;
mod dead_letters;
mod doctor;
mod inspect;
mod kv;
mod messages;
mod object_transfer;
mod objects;
mod operations;
#[cfg(feature = "console")]
mod operator_safety;
#[cfg(feature = "console")]
mod paste;
mod pipeline;
mod publish;
#[cfg(feature = "console")]
mod read_only;
mod resilience;
#[cfg(feature = "console")]
mod scale;
mod settle;
#[cfg(feature = "console")]
mod shell;
#[cfg(feature = "console")]
mod signals;
mod subscribe;
mod tail;
