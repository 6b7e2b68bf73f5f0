//! The `docker run` front end: flags table, pflag grammar, value parsers, create body.
