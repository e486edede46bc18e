package generate

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	stfile "github.com/anchore/stereoscope/pkg/file"
	"github.com/anchore/stereoscope/pkg/image"
	"github.com/anchore/stereoscope/pkg/image/docker"
	"github.com/moby/moby/client"

	"github.com/pedigree-sbom/pedigree/pkg/fserr"
	"github.com/pedigree-sbom/pedigree/pkg/source"
)

// daemonProvider reads an image a local Docker or Podman daemon holds
// (docker:REF, podman:REF) with stereoscope's daemon provider, which asks
// the daemon to save the image (the Docker Engine API the two share) and
// reads the tarball like a docker-archive. The client is pedigree's own,
// so that an error names the socket tried, and it never makes the daemon
// pull: an image the daemon does not hold, or holds for another platform,
// is an error (noPull). No process is started: an ssh:// host is refused.
type daemonProvider struct {
	scheme   source.Scheme // source.Docker or source.Podman
	gen      *stfile.TempDirGenerator
	ref      string
	platform *image.Platform
}

func (d daemonProvider) Name() string { return string(d.scheme) }

func (d daemonProvider) Provide(ctx context.Context) (*image.Image, error) {
	c, host, err := dialDaemon(ctx, d.scheme)
	if err != nil {
		return nil, err
	}
	api := noPull{APIClient: c, daemon: daemonName(d.scheme), host: host, ref: d.ref, platform: d.platform}
	// What podman.NewDaemonProvider is, with pedigree's client.
	name := docker.Daemon
	if d.scheme == source.Podman {
		name = image.PodmanDaemonSource
	}
	p := docker.NewAPIClientProvider(name, d.gen, d.ref, d.platform, func() (client.APIClient, error) { return api, nil })
	img, err := p.Provide(ctx)
	var missing *notInDaemon
	if errors.As(err, &missing) {
		return nil, missing
	}
	if err != nil {
		return nil, fmt.Errorf("reading the image from the %s daemon at %s: %w", daemonName(d.scheme), host, err)
	}
	return img, nil
}

// daemonName is the daemon's name for messages: "Docker", "Podman".
func daemonName(s source.Scheme) string {
	if s == source.Podman {
		return "Podman"
	}
	return "Docker"
}

// daemonHosts are the addresses a daemon is looked for at, in order, and
// why: for Docker, where the docker command would talk to (dockerHost);
// for Podman, $CONTAINER_HOST, or the rootless socket under
// $XDG_RUNTIME_DIR and the rootful one (the two Podman's own client tries
// without a configuration; containers.conf is not read). tlsDir, for a
// Docker context with TLS material, is the directory of its ca.pem,
// cert.pem and key.pem.
func daemonHosts(s source.Scheme) (hosts []string, why, tlsDir string, err error) {
	if s == source.Docker {
		host, why, tlsDir, err := dockerHost()
		return []string{host}, why, tlsDir, err
	}
	if h := os.Getenv("CONTAINER_HOST"); h != "" {
		return []string{h}, "from CONTAINER_HOST", "", nil
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		hosts = append(hosts, "unix://"+filepath.ToSlash(filepath.Join(dir, "podman", "podman.sock")))
	}
	return append(hosts, "unix:///run/podman/podman.sock"), "CONTAINER_HOST unset", "", nil
}

// dockerHost is the Docker daemon the docker command would talk to, in
// its order: $DOCKER_HOST; else the endpoint of the Docker context in
// force, named by $DOCKER_CONTEXT or by currentContext in the client's
// config.json ($DOCKER_CONFIG, default ~/.docker), as `docker context use`
// writes it (rootless Docker and Docker Desktop each install one); else
// the default socket. A context that is named but cannot be read is an
// error, not a fall back to another daemon.
func dockerHost() (host, why, tlsDir string, err error) {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h, "from DOCKER_HOST", "", nil
	}
	dir := os.Getenv("DOCKER_CONFIG")
	if dir == "" {
		home, herr := os.UserHomeDir()
		if herr != nil {
			return client.DefaultDockerHost, "DOCKER_HOST unset, no home directory for a Docker context", "", nil
		}
		dir = filepath.Join(home, ".docker")
	}
	name, origin := os.Getenv("DOCKER_CONTEXT"), "DOCKER_CONTEXT"
	if name == "" {
		cfg := filepath.Join(dir, "config.json")
		data, rerr := os.ReadFile(cfg)
		switch {
		case errors.Is(rerr, os.ErrNotExist):
		case rerr != nil:
			return "", "", "", fmt.Errorf("docker client configuration %s: %w", cfg, rerr)
		default:
			var c struct {
				CurrentContext string `json:"currentContext"`
			}
			if jerr := json.Unmarshal(data, &c); jerr != nil {
				return "", "", "", fmt.Errorf("docker client configuration %s: %v", cfg, jerr)
			}
			name, origin = c.CurrentContext, "currentContext in "+cfg
		}
	}
	if name == "" || name == "default" {
		return client.DefaultDockerHost, "DOCKER_HOST unset, default Docker context", "", nil
	}
	id := fmt.Sprintf("%x", sha256.Sum256([]byte(name)))
	meta := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	data, err := os.ReadFile(meta)
	if err != nil {
		return "", "", "", fmt.Errorf("docker context %q (%s): %s: %w", name, origin, meta, fserr.Cause(err))
	}
	var m struct {
		Endpoints map[string]struct {
			Host string `json:"Host"`
		} `json:"Endpoints"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return "", "", "", fmt.Errorf("docker context %q (%s): %s: %v", name, origin, meta, err)
	}
	host = m.Endpoints["docker"].Host
	if host == "" {
		return "", "", "", fmt.Errorf("docker context %q (%s): %s names no docker endpoint host", name, origin, meta)
	}
	tls := filepath.Join(dir, "contexts", "tls", id, "docker")
	if _, err := os.Stat(filepath.Join(tls, "ca.pem")); err != nil {
		tls = ""
	}
	return host, fmt.Sprintf("Docker context %q, from %s", name, origin), tls, nil
}

// pingTimeout bounds the wait for a daemon's first answer.
const pingTimeout = 10 * time.Second

// dialDaemon connects to the first daemon of the scheme that answers a
// ping (daemonHosts), and returns its client and address; when none
// answers, the error names every address tried and why they were.
func dialDaemon(ctx context.Context, s source.Scheme) (*client.Client, string, error) {
	hosts, why, tlsDir, err := daemonHosts(s)
	if err != nil {
		return nil, "", err
	}
	var last error
	for _, host := range hosts {
		if strings.HasPrefix(host, "ssh://") {
			return nil, "", fmt.Errorf("%s daemon at %s (%s): ssh is not supported, as pedigree starts no ssh process: forward the daemon's socket and point %s at it",
				daemonName(s), host, why, map[source.Scheme]string{source.Docker: "DOCKER_HOST", source.Podman: "CONTAINER_HOST"}[s])
		}
		opts := []client.Opt{client.WithHost(host)}
		switch {
		case s == source.Docker && os.Getenv("DOCKER_HOST") != "":
			opts = []client.Opt{client.FromEnv} // DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION
		case tlsDir != "":
			opts = append(opts, client.WithTLSClientConfig(filepath.Join(tlsDir, "ca.pem"), filepath.Join(tlsDir, "cert.pem"), filepath.Join(tlsDir, "key.pem")))
		}
		c, err := client.New(opts...)
		if err != nil {
			last = err
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, pingTimeout)
		pong, err := c.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true})
		cancel()
		if err == nil && pong.APIVersion == "" {
			err = errors.New("the answer to a ping names no API version")
		}
		if err == nil {
			return c, host, nil
		}
		c.Close()
		last = err
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	return nil, "", fmt.Errorf("no %s daemon reachable at %s (%s): %w", daemonName(s), strings.Join(hosts, " or "), why, dialCause(last))
}

// dialCause is the network error under a client's connection error ("dial
// unix /run/docker.sock: connect: no such file or directory"), without the
// client's advice around it.
func dialCause(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op
	}
	return err
}

// noPull is a daemon client that refuses to pull: stereoscope's provider
// asks the daemon to pull an image it does not hold, or holds for another
// platform than the one asked for (overwriting the local tag); pedigree
// reads only what the daemon has.
type noPull struct {
	client.APIClient
	daemon, host, ref string
	platform          *image.Platform
}

func (n noPull) ImagePull(context.Context, string, client.ImagePullOptions) (client.ImagePullResponse, error) {
	return nil, &notInDaemon{daemon: n.daemon, host: n.host, ref: n.ref, platform: n.platform}
}

// notInDaemon: the daemon does not hold the image (for the platform).
type notInDaemon struct {
	daemon, host, ref string
	platform          *image.Platform
}

func (e *notInDaemon) Error() string {
	what := e.ref
	if e.platform != nil {
		what += " for " + e.platform.String()
	}
	pull := strings.ToLower(e.daemon) + " pull " + e.ref
	if e.platform != nil {
		pull = strings.ToLower(e.daemon) + " pull --platform " + e.platform.String() + " " + e.ref
	}
	return fmt.Sprintf("the %s daemon at %s holds no image %s, and pedigree never makes it pull: run %s first, or scan registry:%s",
		e.daemon, e.host, what, pull, e.ref)
}
