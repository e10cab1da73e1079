package config

import (
	"fmt"
	"slices"
	"strings"
)

// credentialField is one of the tenant keys that names where a credential
// comes from, with the auth method it belongs to.
type credentialField struct {
	key    string
	value  string
	method AuthMethod
}

func (t *Tenant) credentialFields() []credentialField {
	return []credentialField{
		{"client_secret_file", t.ClientSecretFile, AuthClientSecret},
		{"client_secret_env", t.ClientSecretEnv, AuthClientSecret},
		{"client_certificate_file", t.ClientCertificateFile, AuthClientCertificate},
		{"federated_token_file", t.FederatedTokenFile, AuthWorkloadIdentity},
		{"token_cache_file", t.TokenCacheFile, AuthDeviceCode},
	}
}

func allowedMethods() string {
	names := make([]string, 0, len(AuthMethods()))
	for _, m := range AuthMethods() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}

// validateAuth settles the tenant's auth method, inferring it when absent,
// and checks that exactly the fields that method uses are set. It stores the
// inferred method in t.Auth so later code never has to infer again.
func (t *Tenant) validateAuth(path string) []error {
	method := t.Auth
	if method == "" {
		inferred, err := t.inferAuth()
		if err != nil {
			return append([]error{fieldErr(path+".auth", "%w", err)}, t.checkClientID(path, "")...)
		}
		method = inferred
	} else if !slices.Contains(AuthMethods(), method) {
		return append([]error{fieldErr(path+".auth", "%q is not supported; use one of %s", method, allowedMethods())}, t.checkClientID(path, "")...)
	}
	errs := t.checkCredentialFields(path, method)
	errs = append(errs, t.checkClientID(path, method)...)
	if len(errs) == 0 {
		t.Auth = method
	}
	return errs
}

// inferAuth picks the method whose credential fields are set, when exactly
// one method's are.
func (t *Tenant) inferAuth() (AuthMethod, error) {
	var methods []AuthMethod
	var keys []string
	for _, f := range t.credentialFields() {
		if f.value == "" {
			continue
		}
		keys = append(keys, f.key)
		if !slices.Contains(methods, f.method) {
			methods = append(methods, f.method)
		}
	}
	switch len(methods) {
	case 1:
		return methods[0], nil
	case 0:
		return "", fmt.Errorf("not set and cannot be inferred: set auth to one of %s, or set one of client_secret_file, client_secret_env, client_certificate_file, federated_token_file, token_cache_file", allowedMethods())
	default:
		return "", fmt.Errorf("cannot be inferred because %s are set together; set auth to one of %s and remove the fields of the other methods", strings.Join(keys, " and "), allowedMethods())
	}
}

func (t *Tenant) checkCredentialFields(path string, method AuthMethod) []error {
	var errs []error
	for _, f := range t.credentialFields() {
		if f.value != "" && f.method != method {
			errs = append(errs, fieldErr(path+"."+f.key, "not used by auth %s (it belongs to auth %s); remove it", method, f.method))
		}
	}
	switch method {
	case AuthClientSecret:
		switch {
		case t.ClientSecretFile != "" && t.ClientSecretEnv != "":
			errs = append(errs, fieldErr(path, "client_secret_file and client_secret_env are both set; auth client_secret needs exactly one"))
		case t.ClientSecretFile == "" && t.ClientSecretEnv == "":
			errs = append(errs, fieldErr(path, "auth client_secret needs client_secret_file or client_secret_env"))
		}
	case AuthClientCertificate:
		if t.ClientCertificateFile == "" {
			errs = append(errs, fieldErr(path+".client_certificate_file", "required by auth client_certificate"))
		}
	case AuthDeviceCode:
		if t.TokenCacheFile == "" {
			errs = append(errs, fieldErr(path+".token_cache_file", "required by auth device_code: the file (on a writable, persistent volume) where the sign-in keeps its refresh token"))
		}
	}
	return errs
}

// checkClientID applies the client_id rule of method; with an unknown
// method ("") it only checks the format of a value that is set.
func (t *Tenant) checkClientID(path string, method AuthMethod) []error {
	p := path + ".client_id"
	switch {
	case method == AuthAzureCLI && t.ClientID != "":
		return []error{fieldErr(p, "must be empty for auth azure_cli, which signs in as the Azure CLI's logged-in account")}
	case t.ClientID == "" && (method == AuthClientSecret || method == AuthClientCertificate || method == AuthDeviceCode):
		return []error{fieldErr(p, "required by auth %s", method)}
	case t.ClientID != "" && !guidRE.MatchString(t.ClientID):
		// Not quoted: a client secret pasted into the wrong key must not
		// end up in logs.
		return []error{fieldErr(p, "not a GUID (an application (client) ID looks like 00000000-0000-0000-0000-000000000000)")}
	}
	return nil
}
