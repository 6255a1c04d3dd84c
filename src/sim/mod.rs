//! A local simulator of the Recuperador follow-up API (being written).
