# TODO heartbeat
