// Package config holds the configuration of securitycopilot_exporter: the
// YAML file format, its defaults, strict decoding, validation, and a Reloader
// that swaps in a new configuration only when it loads and applies cleanly.
//
// The configuration never holds a secret. Credentials are referenced by the
// path of a file or the name of an environment variable, and are read at run
// time by whoever builds the credential, so a Config can be logged (see
// Config.String) and every error message is safe to log.
//
// Parse and Load apply defaults for absent keys, reject unknown keys, and run
// Validate, which also normalizes the configuration in place (URLs, inferred
// auth methods, sorted windows). Programmatic configurations should start
// from Default and call Validate before use.
package config
