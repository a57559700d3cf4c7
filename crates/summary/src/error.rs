//! Why the pattern files could not be read.

/// A pattern or context file that does not read, named with its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// The YAML does not parse.
    #[error("{file}: {error}")]
    Yaml {
        file: String,
        #[source]
        error: crate::yaml::YamlError,
    },
    /// The YAML parses but is not a pattern file.
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    /// A regular expression of the file does not compile.
    #[error("{file}: the pattern `{pattern}` does not compile: {message}")]
    Regex {
        file: String,
        pattern: String,
        message: String,
    },
}
