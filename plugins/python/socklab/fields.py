"""Python values to and from socklab's messages.

Event fields take what socket code has at hand: seconds as numbers (as
time.time() gives) for durations and times, a socket address tuple for a
"host:port" string, str for bytes, and bytes or any str for a string field
(see text()). address() and seconds() go the other way, from a config's
fields to what the socket calls want.
"""

import datetime

from google.protobuf import duration_pb2, timestamp_pb2

_DURATION = duration_pb2.Duration.DESCRIPTOR.full_name
_TIMESTAMP = timestamp_pb2.Timestamp.DESCRIPTOR.full_name


def address(host_port):
    """The ("host", port) tuple of a "host:port" setting such as
    config.listen or config.server, ready for bind, sendto or connect.
    "[::1]:80" gives ("::1", 80)."""
    host, colon, port = host_port.rpartition(":")
    if not colon or not port.isdigit():
        raise ValueError(f"{host_port!r} is not host:port")
    return host.strip("[]"), int(port)


def host_port(addr):
    """The "host:port" of a socket address tuple, as events carry peers."""
    host, port = addr[0], addr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def text(value):
    """value, bytes or str, as text a message's string field takes: valid
    UTF-8 is kept, every other byte becomes the four characters \\xNN
    (Python's "backslashreplace", as the Go SDK does). So b"GET /\\xff"
    from recv gives 'GET /\\xff', and a str holding the surrogates of
    errors="surrogateescape" gives back the bytes it came from. The bytes
    a peer sent are for reading here; keep data that must survive exactly in
    a bytes field."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "backslashreplace")
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    return _utf8(value).decode("utf-8", "backslashreplace")


def _utf8(value):
    """The bytes of str value: a surrogate of errors="surrogateescape" as
    the byte it stands for, any other as its UTF-8-like form."""
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def seconds(duration):
    """A google.protobuf.Duration (a config's timeout, interval, ...) in
    seconds, as settimeout and time.sleep take them."""
    return duration.seconds + duration.nanos / 1e9


def fill(message, fields):
    """Sets message's fields from the dict fields, converting values as the
    module docstring says; a dict fills a message field, a list a repeated
    one. An unknown name raises TypeError listing the message's fields."""
    descriptor = message.DESCRIPTOR
    for name, value in fields.items():
        field = descriptor.fields_by_name.get(name)
        if field is None:
            known = ", ".join(f.name for f in descriptor.fields)
            raise TypeError(f"{descriptor.name} has no field {name!r}; its fields: {known}")
        if value is not None:
            _set(message, field, value)
    return message


def _set(message, field, value):
    target = getattr(message, field.name)
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        key, item = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
        for k, v in value.items():
            k = _scalar(key, k)
            if item.message_type is None:
                target[k] = _scalar(item, v)
            else:
                _message(target[k], v)
    elif field.label == field.LABEL_REPEATED:
        for item in value:
            if field.message_type is None:
                target.append(_scalar(field, item))
            else:
                _message(target.add(), item)
    elif field.message_type is not None:
        _message(target, value)
    else:
        setattr(message, field.name, _scalar(field, value))


def _message(target, value):
    kind = target.DESCRIPTOR.full_name
    if isinstance(value, type(target)):
        target.CopyFrom(value)
    elif isinstance(value, dict):
        fill(target, value)
    elif kind == _DURATION:
        if isinstance(value, datetime.timedelta):
            target.FromTimedelta(value)
        else:
            target.FromNanoseconds(_nanoseconds(value))
    elif kind == _TIMESTAMP:
        if isinstance(value, datetime.datetime):
            target.FromDatetime(value)
        else:
            target.FromNanoseconds(_nanoseconds(value))
    else:
        raise TypeError(f"{target.DESCRIPTOR.name} wants a {target.DESCRIPTOR.name} or a dict, not {value!r}")
    # A message field with nothing in it must still count as set.
    target.SetInParent()


def _nanoseconds(seconds):
    # Whole seconds apart: 1.7e9 * 1e9 is past what a float holds exactly.
    whole = int(seconds)
    return whole * 1_000_000_000 + round((seconds - whole) * 1e9)


def _scalar(field, value):
    if field.type == field.TYPE_BYTES and isinstance(value, str):
        return _utf8(value)
    if field.type == field.TYPE_STRING:
        if isinstance(value, tuple):
            return host_port(value)
        if isinstance(value, (str, bytes, bytearray, memoryview)):
            return text(value)
    return value
