//! The spatial matcher: matches a target Par against a pattern Par.
