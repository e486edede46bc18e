package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/internal/msgtext"
)

// maxAnswerBytes bounds an answer the client reads: a submission's
// findings are at most a few megabytes.
const maxAnswerBytes = 256 << 20

// Client calls the API of a pedigree server, as `pedigree submit` does.
type Client struct {
	// Server is the server's base URL: http://127.0.0.1:8080.
	Server string
	// Token is the bearer token sent with every request. It never
	// appears in an error.
	Token string
	// HTTP makes the requests; nil is http.DefaultClient.
	HTTP *http.Client
}

// ServerError is a request the server refused or failed: its status and
// the error it gave.
type ServerError struct {
	Server  string
	Status  int
	Message string
	// Limit names the limit an upload is over, if that is why.
	Limit string
}

func (e *ServerError) Error() string {
	what := fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
	switch e.Status {
	case http.StatusUnauthorized:
		what = "refused the token (" + what + ")"
	case http.StatusForbidden:
		what = "refused the request (" + what + ")"
	default:
		what = "answered " + what
	}
	msg := fmt.Sprintf("server %s %s", e.Server, what)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// base is the server's URL, checked: http or https, with a host.
func (c *Client) base() (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(c.Server, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server %q is not an http:// or https:// URL", c.Server)
	}
	if u.User != nil {
		return nil, fmt.Errorf("server %s: give the token with the token setting, not in the URL", u.Redacted())
	}
	return u, nil
}

// Submit uploads an SBOM of size bytes (-1 when unknown) for product,
// named filename, and returns the server's answer: the submission with
// its evaluation.
func (c *Client) Submit(ctx context.Context, product, filename string, body io.Reader, size int64) (*SubmissionResult, error) {
	u, err := c.base()
	if err != nil {
		return nil, err
	}
	u = u.JoinPath(APIPrefix, "products", product, "submissions")
	if filename != "" {
		u.RawQuery = url.Values{"filename": {filename}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("submit to %s: %w", c.Server, err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	var res SubmissionResult
	if err := c.do(req, http.StatusCreated, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// do sends req with the token and decodes an answer of status want into
// v; any other answer is a *ServerError.
func (c *Client) do(req *http.Request, want int, v any) error {
	if c.Token == "" {
		return errors.New("no token: give one (pedigree serve token create makes one)")
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	server := req.URL.Scheme + "://" + req.URL.Host
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which the message names already
		}
		return fmt.Errorf("server %s: cannot connect: %w", server, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return fmt.Errorf("server %s: read the answer: %w", server, err)
	}
	if resp.StatusCode != want {
		se := &ServerError{Server: server, Status: resp.StatusCode}
		var eb ErrorBody
		if json.Unmarshal(data, &eb) == nil && eb.Error != "" {
			se.Message, se.Limit = eb.Error, eb.Limit
		} else {
			se.Message = strings.TrimSpace(msgtext.Clip(string(data), 200))
		}
		return se
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("server %s: the answer is not the JSON expected: %w", server, err)
	}
	return nil
}
