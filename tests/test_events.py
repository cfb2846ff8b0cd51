"""Decoding raw events into typed events, in both payload shapes of PROTOCOL.md."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.protocol import events as ev


def test_binary_handshake_on_all_cameras_stream_is_not_a_camera() -> None:
    event = ev.decode("connected", '{"cameraId":"*"}', first=True)
    assert isinstance(event, ev.Handshake)


def test_binary_handshake_on_camera_stream_is_not_a_camera() -> None:
    event = ev.decode(
        "connected", '{"cameraId":"D06C"}', first=True, subscription="D06C"
    )
    assert isinstance(event, ev.Handshake)


def test_camera_connection_after_handshake_is_a_camera() -> None:
    event = ev.decode("connected", '{"model":"ILCE-7M4","id":"D06CE05E3323"}')
    assert isinstance(event, ev.CameraConnected)
    assert (event.camera_id, event.model) == ("D06CE05E3323", "ILCE-7M4")


def test_documented_camera_connection_later_in_stream_is_a_camera() -> None:
    event = ev.decode(
        "connected", '{"cameraId":"A1","model":"ILCE-1"}', subscription="A1"
    )
    assert isinstance(event, ev.CameraConnected) and event.camera_id == "A1"


def test_first_event_with_model_is_a_camera_not_a_handshake() -> None:
    event = ev.decode("connected", '{"cameraId":"A1","model":"ILCE-1"}', first=True,
                      subscription="A1")  # fmt: skip
    assert isinstance(event, ev.CameraConnected)


@pytest.mark.parametrize(
    "data",
    ['{"filename":"/home/u/s/DSC00001.JPG","type":"image"}',
     '{"cameraId":"A1","filename":"DSC00001.JPG","savedPath":"/home/u/s/DSC00001.JPG"}'],
)  # fmt: skip
def test_download_complete_both_shapes_give_full_path(data: str) -> None:
    event = ev.decode("downloadComplete", data)
    assert isinstance(event, ev.DownloadCompleted)
    assert event.path == "/home/u/s/DSC00001.JPG"


def test_windows_path_escaped_properly() -> None:
    data = json.dumps({"filename": "C:\\Users\\ph\\DSC00001.JPG", "type": "image"})
    event = ev.decode("downloadComplete", data)
    assert isinstance(event, ev.DownloadCompleted)
    assert event.path == "C:\\Users\\ph\\DSC00001.JPG" and event.note is None


def test_windows_path_with_unescaped_backslashes_is_repaired_and_noted() -> None:
    event = ev.decode("downloadComplete", '{"filename":"C:\\Users\\ph\\DSC00001.JPG"}')
    assert isinstance(event, ev.DownloadCompleted)
    assert event.path == "C:\\Users\\ph\\DSC00001.JPG"
    assert event.note and "backslash" in event.note


def test_af_status() -> None:
    event = ev.decode("afStatus", '{"state":"tracking","source":"OnWarningExt"}')
    assert isinstance(event, ev.AfChanged) and event.state == ev.AfState.TRACKING


def test_property_codes_binary_shape() -> None:
    event = ev.decode("propertyChanged", '{"codes":["0x500e","0x1f"],"count":2}')
    assert isinstance(event, ev.PropertiesChanged) and event.codes == ("0x500e", "0x1f")


def test_transfer_progress() -> None:
    event = ev.decode(
        "transferProgress",
        '{"cameraId":"A1","contentId":"1","fileId":"2","percent":100,"notify":"x",'
        '"savedPath":"/s/DSC1.JPG","filename":"/s/DSC1.JPG","synthetic":true}',
    )
    assert isinstance(event, ev.TransferProgressed)
    assert (event.percent, event.path, event.synthetic) == (100, "/s/DSC1.JPG", True)


def test_shutter_warning() -> None:
    event = ev.decode("warning", '{"code":"0x20011","message":"Shutter"}')
    assert isinstance(event, ev.CameraWarning) and event.shutter_released


def test_disconnected_synthetic_names_camera_as_id() -> None:
    event = ev.decode("disconnected", '{"id":"A1","errorCode":"0x0"}')
    assert isinstance(event, ev.CameraDisconnected) and event.camera_id == "A1"
    assert event.reason is None


def test_unknown_event_name_is_kept_not_failed() -> None:
    event = ev.decode("lensChanged", '{"lens":"FE 24-70mm"}')
    assert isinstance(event, ev.OtherEvent) and not event.known
    assert event.data == {"lens": "FE 24-70mm"}


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("afStatus", "not json", "invalid JSON"),
        ("afStatus", "", "empty data"),
        ("afStatus", "[1, 2]", "got a JSON array"),
        ("afStatus", '"focused"', "got a JSON string"),
        ("afStatus", '{"state":"blurry"}', 'got "blurry"'),
        ("transferProgress", '{"percent":"50"}', 'got "50"'),
        ("transferProgress", '{"percent":-1}', "got -1"),
        ("transferProgress", '{"percent":101}', "got 101"),
        ("downloadComplete", '{"type":"image"}', "got none"),
        ("downloadComplete", '{"filename":42.5e400}', "filename should be text"),
        ("propertyChanged", '{"codes":"0x1"}', "codes should be a list"),
    ],
)
def test_bad_input_is_reported_with_reason_and_raw(
    name: str, data: str, says: str
) -> None:
    event = ev.decode(name, data)
    assert isinstance(event, ev.BadEvent), event
    assert says in event.error
    assert event.raw == data


def test_raw_copy_of_bad_event_is_cut_down() -> None:
    event = ev.decode("afStatus", "x" * 5000)
    assert isinstance(event, ev.BadEvent)
    assert len(event.raw) < 300 and "4800 more characters" in event.raw


def test_deeply_nested_json_is_a_bad_event_not_a_crash() -> None:
    """Regression: 100,000 '[' raised RecursionError out of decode(), which ended
    the camera's stream and the session."""
    event = ev.decode("afStatus", "[" * 100_000)
    assert isinstance(event, ev.BadEvent) and "nested too deeply" in event.error


def test_nesting_the_json_module_refuses_stays_refused() -> None:
    """msgspec reads a few levels deeper than the json module: a payload
    between the two limits is still "nested too deeply", as it always was."""

    def nested(depth: int) -> str:
        return '{"a":' + "[" * depth + "]" * depth + "}"

    def json_refuses(depth: int) -> bool:
        try:
            json.loads(nested(depth))
        except RecursionError:
            return True
        return False

    # Where the json module gives up depends a little on the stack it runs
    # on; two levels further it surely does, and msgspec would not yet.
    depth = next(d for d in range(100, 5000) if json_refuses(d)) + 2
    with pytest.raises(ValueError, match="nested too deeply"):
        ev.parse_payload(nested(depth))


def test_nan_is_not_json() -> None:
    event = ev.decode("transferProgress", '{"percent": NaN}')
    assert isinstance(event, ev.BadEvent) and "NaN" in event.error


@pytest.mark.parametrize(
    "path", ["C:\\Users\\ana\\new\\DCIM\\tmp\\bob\\DSC001.JPG", "D:\\fotos\\raw\\x.ARW"]
)
def test_unescaped_windows_path_with_letters_that_look_like_escapes(path: str) -> None:
    """Regression: '\\n' in '\\new' and '\\t' in '\\tmp' were read as control
    characters when repairing an unescaped path."""
    event = ev.decode("downloadComplete", '{"filename":"' + path + '"}')
    assert isinstance(event, ev.DownloadCompleted) and event.path == path


def test_bom_before_json_is_reported_as_such() -> None:
    event = ev.decode("afStatus", '\ufeff{"state":"focused"}')
    assert isinstance(event, ev.BadEvent) and "BOM" in event.error


@pytest.mark.parametrize(
    "data",
    [
        '{"cameraId":"A1","state":"focused"}',
        '{"id":"A1","state":"focused"}',
        '{"\\u0069d":"A1","state":"focused"}',  # the key "id", escaped
    ],
)
def test_a_copy_that_may_name_a_camera_is_decoded_at_once(data: str) -> None:
    """The stream of all cameras needs the camera id of a copy straight away."""
    assert not ev.can_wait("afStatus", data)
    assert ev.decode("afStatus", data).camera_id == "A1"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("afStatus", '{"state":"focused","source":"OnWarning"}'),
        ("transferProgress", '{"percent":40,"fileId":3}'),
        ("afStatus", '{"state":"blurry"}'),
        ("warning", "not json"),
    ],
)
def test_a_copy_decoded_late_is_what_it_would_have_been(name: str, data: str) -> None:
    assert ev.can_wait(name, data)
    assert ev.Undecoded(name=name, data=data).decoded() == ev.decode(name, data)


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _reference(data: str) -> object:
    """What the json module alone makes of an event's data (the slower reader
    the monitor used before msgspec), or the error it gives."""
    if not data or data.isspace():
        return "empty"
    try:
        value = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        return type(exc).__name__
    return value


@settings(max_examples=300, deadline=None)
@example('{"":"\ud800"}')  # a raw lone surrogate: msgspec cannot encode it
@example('{"a":"\\ud800"}')  # the same, escaped
@given(
    st.one_of(
        _JSON_VALUES.map(json.dumps),
        _JSON_VALUES.map(lambda value: json.dumps(value, ensure_ascii=False)),
        st.text(alphabet='{}[]",:0123456789.eE+-tfnrul \\\t\nNaI\ufeff\ud800x'),
    )
)
def test_events_are_read_as_the_json_module_reads_them(data: str) -> None:
    """The fast JSON reader gives the same values as the json module, and
    whatever the json module refuses stays refused."""
    expected = _reference(data)
    try:
        payload, note = ev.parse_payload(data)
    except ValueError:
        assert not isinstance(expected, dict)
        return
    if note is None:  # a repaired Windows path is the json module's reading too
        assert payload == expected
        assert type(payload) is dict
