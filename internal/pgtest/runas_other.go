//go:build !unix

package pgtest

import (
	"errors"
	"os/exec"
	"os/user"
)

// runAs cannot switch users on this system.
func runAs(*exec.Cmd, *user.User) error {
	return errors.New("cannot run a program as another user on this system")
}
