//! `rhoc`: the Rholang front end (parser, normalizer) and the command line.
