//! What the integration tests share: a simulator of the API with fictitious data, and a client
//! pointed at it with short retry waits.
//!
//! Each test file declares `mod support;` and uses the part it needs.

// Every test binary compiles this whole module and uses only a part of it.
#![allow(dead_code)]

pub mod ui;

use std::path::{Path, PathBuf};
use std::time::Duration;

use recuperador_followups::api::{ClientConfig, FollowupClient, Token};
use recuperador_followups::sim::{DatasetConfig, SimConfig, Simulator};

/// A dataset of `debtors` fictitious debtors generated from `seed` (the other settings are
/// the defaults).
pub fn dataset(seed: u64, debtors: usize) -> DatasetConfig {
    DatasetConfig {
        seed,
        debtors,
        ..DatasetConfig::default()
    }
}

/// Starts `config`'s simulator on loopback; panics when it cannot (no test can run then).
pub fn start(config: SimConfig) -> Simulator {
    Simulator::start(config).expect("simulator starts")
}

/// A simulator that accepts `token`, serving [`dataset`]`(seed, debtors)` without latency.
pub fn simulator(token: &str, seed: u64, debtors: usize) -> Simulator {
    start(SimConfig {
        token: token.to_owned(),
        dataset: dataset(seed, debtors),
        ..SimConfig::default()
    })
}

/// Client settings for `sim` with retry waits of a few milliseconds (5 ms first, 20 ms at
/// most), so that tests of retries take no time; override fields as needed.
pub fn client_config(sim: &Simulator) -> ClientConfig {
    ClientConfig {
        base_url: sim.url().to_string(),
        retry_base_delay: Duration::from_millis(5),
        retry_max_delay: Duration::from_millis(20),
        ..ClientConfig::default()
    }
}

/// A client with `config`, sending `token`.
pub fn client_with(config: ClientConfig, token: &str) -> FollowupClient {
    FollowupClient::new(config, Token::parse(token).expect("a valid test token"))
        .expect("the client builds")
}

/// A client for `sim` ([`client_config`]) sending `token`.
pub fn client(sim: &Simulator, token: &str) -> FollowupClient {
    client_with(client_config(sim), token)
}

/// The export temporary files in `dir` (their names start with `export::TEMP_FILE_PREFIX`).
pub fn temp_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name().is_some_and(|name| {
                name.to_string_lossy()
                    .starts_with(recuperador_followups::export::TEMP_FILE_PREFIX)
            })
        })
        .collect()
}
