//! Shared helpers for rhoc's benchmarks.
