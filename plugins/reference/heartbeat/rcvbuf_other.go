//go:build !unix

package heartbeat

import (
	"errors"
	"net"
)

func grantedReadBuffer(*net.UDPConn) (int, error) {
	return 0, errors.New("cannot read the receive buffer size on this system")
}
