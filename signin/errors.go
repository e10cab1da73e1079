package signin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
)

// ErrSignInRequired is wrapped by every error that only a new sign-in
// (--auth.login) can cure: no account in the cache, or a refresh token
// Entra ID refused.
var ErrSignInRequired = errors.New("sign-in required")

// EntraError is Entra ID's refusal of a token request: its OAuth error,
// the AADSTS code and the first line of its description. It keeps nothing
// of the request, which carried the refresh token or device code.
type EntraError struct {
	Status      int
	OAuthError  string // invalid_grant, interaction_required, …
	Code        string // AADSTS70008
	Description string
}

func (e *EntraError) Error() string {
	msg := e.Description
	if e.Code != "" && !strings.HasPrefix(msg, e.Code) {
		msg = e.Code + ": " + msg
	}
	return "Entra ID refused (" + e.OAuthError + "): " + msg
}

// needsSignIn reports whether only a new sign-in cures the refusal: the
// refresh token expired, was revoked, or MFA or Conditional Access now
// demand the user.
func (e *EntraError) needsSignIn() bool {
	return e.OAuthError == "invalid_grant" || e.OAuthError == "interaction_required"
}

// SignInError is a failure of the tenant's delegated access that a new
// sign-in cures. Its message says so, with the command.
type SignInError struct {
	Tenant string
	// Cause is what happened: an *EntraError, or the missing account.
	Cause error
}

// Error names the command first, so that a message cut to one line keeps
// it.
func (e *SignInError) Error() string {
	return fmt.Sprintf("sign in again with --auth.login=%s: %v", e.Tenant, e.Cause)
}

func (e *SignInError) Unwrap() []error { return []error{ErrSignInRequired, e.Cause} }

var aadsts = regexp.MustCompile(`AADSTS\d+`)

// maxErrorBody bounds the error answer decoded; Entra ID's are about 1 KiB.
const maxErrorBody = 64 << 10

// maxDescription bounds Entra ID's description in one line.
const maxDescription = 300

// fromMSAL turns MSAL's error into an *EntraError when Entra ID answered,
// and otherwise returns it as it is. MSAL's CallErr must not travel on: its
// Verbose dump prints the request body, refresh token included.
func fromMSAL(err error) error {
	var ce msalerrors.CallErr
	if !errors.As(err, &ce) {
		return err
	}
	e := &EntraError{OAuthError: "an error"}
	if ce.Resp != nil {
		e.Status = ce.Resp.StatusCode
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Codes       []int  `json:"error_codes"`
	}
	if ce.Resp != nil && ce.Resp.Body != nil {
		_ = json.NewDecoder(io.LimitReader(ce.Resp.Body, maxErrorBody)).Decode(&body)
	}
	// MSAL may have read the body already (it does to tell
	// authorization_pending from a failure); its message still holds it.
	if body.Error == "" && ce.Err != nil {
		msg := ce.Err.Error()
		if i := strings.Index(msg, "\n{"); i >= 0 && len(msg)-i < maxErrorBody {
			_ = json.Unmarshal([]byte(msg[i+1:]), &body)
		}
	}
	if body.Error != "" {
		e.OAuthError = oneLine(body.Error, 64)
	}
	e.Description = oneLine(cutTrace(body.Description), maxDescription)
	e.Code = aadsts.FindString(e.Description)
	if e.Code == "" && len(body.Codes) > 0 {
		e.Code = fmt.Sprintf("AADSTS%d", body.Codes[0])
	}
	if body.Error == "" && body.Description == "" {
		e.Description = fmt.Sprintf("HTTP status %d", e.Status)
	}
	return e
}

// cutTrace drops the trace and correlation ids Entra ID appends.
func cutTrace(s string) string {
	if i := strings.Index(s, " Trace ID:"); i >= 0 {
		s = s[:i]
	}
	return s
}

// oneLine keeps the first line of s, without control characters, cut to
// max bytes.
func oneLine(s string, max int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return s
}
