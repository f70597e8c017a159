package isolate

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"syscall"
	"time"
)

// stopGrace is how long a submission's check has, once told to stop at
// its timeout, to report what it has before it is killed.
const stopGrace = 10 * time.Second

// ChildOutput is what a child check printed and how it ended.
type ChildOutput struct {
	Stdout, Stderr []byte
	// StartErr: it could not be started; WaitErr: how it ended.
	StartErr, WaitErr error
	// Stopped: ctx ended first, and the child was stopped.
	Stopped bool
}

// Run runs one child check (argv, `socklab check --one`) with input on
// its stdin, isolated as i: in a network namespace of its own, in
// its own process group. Once ctx ends it is asked to stop and report
// (SIGTERM), then killed; whatever it left running in its namespace is
// killed too. Every child of a grading run is started here.
func (i Isolation) Run(ctx context.Context, argv []string, input []byte) ChildOutput {
	var out ChildOutput
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = i.SysProcAttr()
	if err := cmd.Start(); err != nil {
		out.StartErr = err
		return out
	}
	ns := ""
	if i != None {
		var pin io.Closer
		if ns, pin = pinNetNamespace(cmd.Process.Pid); pin != nil {
			defer pin.Close()
		}
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case out.WaitErr = <-exited:
	case <-ctx.Done():
		out.Stopped = true
		out.WaitErr = stop(cmd, exited)
	}
	// Whatever the submission left running in its namespace goes too.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	killNamespace(ns)
	out.Stdout, out.Stderr = stdout.Bytes(), stderr.Bytes()
	return out
}

// stop asks a child check to end (SIGTERM: it reports what it has), and
// kills it after stopGrace.
func stop(cmd *exec.Cmd, exited <-chan error) error {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case err := <-exited:
		return err
	case <-time.After(stopGrace):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		return <-exited
	}
}
