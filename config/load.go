package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// Load reads the configuration file at path and parses it with Parse.
func Load(path string) (*Config, error) {
	data, err := ReadFile(path)
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
	if err := decodeStrict(data, cfg); err != nil {
		return nil, withSource(source, err)
	}
	// "windows:" with no value decodes to nil; treat it like an absent key.
	// An explicit empty list stays empty and fails validation.
	if cfg.Windows == nil {
		cfg.Windows = DefaultWindows()
	}
	if errs := cfg.validate(); len(errs) > 0 {
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

// decodeStrict decodes exactly one YAML document into cfg, rejecting unknown
// keys so that a typo cannot silently leave a default in place. An empty
// document leaves cfg untouched; validation then reports the missing tenants.
func decodeStrict(data []byte, cfg *Config) error {
	// A first pass into a node tree finds syntax errors, extra documents and
	// bad durations, which the strict pass below would report without a
	// key path or line.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	// A second document would be ignored by Decode; refuse it rather than
	// silently run with half of what the user wrote.
	if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
		return errors.New("the file holds more than one YAML document; put the whole configuration in one")
	}
	// yaml's own error for a lone value quotes its start, and a lone value
	// is what a secret file holds: --config.file pointed at one must not
	// put the secret's first characters in the log.
	if root := doc.Content; len(root) == 1 && root[0].Kind == yaml.ScalarNode && root[0].ShortTag() != "!!null" {
		return fmt.Errorf("line %d: the file holds a single value, not a mapping of settings", root[0].Line)
	}
	if err := checkDurations(&doc); err != nil {
		return err
	}

	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	return strict.Decode(cfg)
}
