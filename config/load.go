package config

import (
	"errors"
	"fmt"
)

// Load reads the configuration file at path and parses it with Parse.
func Load(path string) (*Config, error) {
	data, err := readFileUpTo(path, MaxConfigFileSize)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes a configuration from data on top of Default, so absent keys
// keep their defaults, then validates and normalizes it (see Validate).
// source names the file in every error message. Validation errors are all
// reported, joined with errors.Join, one per line.
func Parse(data []byte, source string) (*Config, error) {
	cfg := Default()
	errs, read := decode(data, cfg)
	if !read {
		return nil, withSource(source, errors.Join(errs...))
	}
	// "windows:" with no value decodes to nil; treat it like an absent key.
	// An explicit empty list stays empty and fails validation.
	if cfg.Windows == nil {
		cfg.Windows = DefaultWindows()
	}
	if cfg.Activity.Windows == nil {
		cfg.Activity.Windows = DefaultActivityWindows()
	}
	// Validation runs even after decoding errors, so that one run reports
	// every problem of the file.
	errs = append(errs, cfg.validate()...)
	if len(errs) > 0 {
		return nil, withSource(source, errors.Join(errs...))
	}
	return cfg, nil
}

// withSource prefixes the file name to err, or to each error err joins, so
// that every line of the message names the file.
func withSource(source string, err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return fmt.Errorf("%s: %w", source, err)
	}
	errs := joined.Unwrap()
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = fmt.Errorf("%s: %w", source, e)
	}
	return errors.Join(out...)
}
