//! Shared helpers for rhoc's integration and conformance tests.
