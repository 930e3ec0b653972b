"""Frame-exact H.264 clips that re-encode only their edges ("smart cut").

A frame-exact cut needs new pictures only from the start to the first keyframe after it and
from the last keyframe before the end to the end; everything between two keyframes can be
copied as it is.  Live streams carry a keyframe every 1-2 s (the platforms ask for it), so a
40 s clip re-encodes about 2 s instead of 40, and the middle keeps the source's quality.

The re-encoded pieces carry their own sequence and picture parameter sets (SPS/PPS) under ids
the source does not use, and the clip's sample entry lists all of them (an `avcC` may hold
several, ISO/IEC 14496-15), so the output is one ordinary H.264 track that any decoder reads.

Only what can be spliced safely is: H.264 in 8-bit 4:2:0, keyframes that are IDR pictures
(closed GOPs, so nothing after a keyframe refers back past it), no rotation to apply, even
dimensions, one SPS throughout.  `plan_splice` returns None otherwise and the caller
re-encodes the whole clip.  AAC audio is copied with one packet of decoder pre-roll hidden by
the MP4 edit list; other audio, or audio to filter, is encoded to AAC over the same span."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

import av

from .damage import decode_skipping
from .probe import container_origin
from .records import MediaInfo

NAL_IDR, NAL_SPS, NAL_PPS, NAL_AUD = 5, 7, 8, 9
SPLICEABLE_PIXEL_FORMATS = {"yuv420p", "yuvj420p"}
X264_PROFILES = {66: "baseline", 77: "main", 100: "high"}
EPSILON = 1e-3  # seconds: a frame this close to an edge counts as on it


class SpliceError(RuntimeError):
    """The stream turned out not to be spliceable; the caller re-encodes instead."""


@dataclass(frozen=True)
class SplicePlan:
    first_frame: float  # presentation time of the clip's first frame (seconds from the file's origin)
    head_end: float  # first IDR keyframe at or after the start: copying begins here
    tail_start: float  # last IDR keyframe at or before the end: copying stops here
    end: float

    @property
    def copied(self) -> float:
        return self.tail_start - self.head_end

    @property
    def reencoded(self) -> float:
        return (self.head_end - self.first_frame) + (self.end - self.tail_start)


def split_nal_units(data: bytes, length_size: int | None) -> list[bytes]:
    """The NAL units of one packet: length-prefixed (MP4, MKV, FLV) or Annex B (MPEG-TS)."""
    if length_size:
        units, at = [], 0
        while at + length_size <= len(data):
            size = int.from_bytes(data[at:at + length_size], "big")
            at += length_size
            units.append(data[at:at + size])
            at += size
        return units
    units, at = [], data.find(b"\x00\x00\x01")
    while at >= 0:
        begin = at + 3
        at = data.find(b"\x00\x00\x01", begin)
        unit = data[begin:at if at >= 0 else len(data)]
        units.append(unit.rstrip(b"\x00") if at >= 0 else unit)  # trailing zero of a 4-byte start code
    return [unit for unit in units if unit]


def length_prefixed(units: list[bytes]) -> bytes:
    return b"".join(len(unit).to_bytes(4, "big") + unit for unit in units)


def nal_type(unit: bytes) -> int:
    return unit[0] & 0x1F


def _exp_golomb(payload: bytes, skip_bytes: int) -> int:
    """The first ue(v) of a NAL payload after `skip_bytes` bytes (emulation prevention removed)."""
    clean = payload[:skip_bytes + 16].replace(b"\x00\x00\x03", b"\x00\x00")
    bits = "".join(f"{byte:08b}" for byte in clean[skip_bytes:])
    zeros = len(bits) - len(bits.lstrip("0"))
    return int(bits[zeros:2 * zeros + 1], 2) - 1


def parameter_set_id(unit: bytes) -> int:
    """seq_parameter_set_id of an SPS or pic_parameter_set_id of a PPS."""
    return _exp_golomb(unit[1:], 3 if nal_type(unit) == NAL_SPS else 0)


def parse_avcc(extradata: bytes) -> tuple[int, list[bytes], list[bytes]]:
    """(NAL length size, SPS list, PPS list) of an `avcC` record."""
    length_size = (extradata[4] & 3) + 1
    at = 6
    sps: list[bytes] = []
    pps: list[bytes] = []
    for count, target in ((extradata[5] & 0x1F, sps), (None, pps)):
        if count is None:
            count, at = extradata[at], at + 1
        for _ in range(count):
            size = int.from_bytes(extradata[at:at + 2], "big")
            target.append(extradata[at + 2:at + 2 + size])
            at += 2 + size
    return length_size, sps, pps


def build_avcc(sps: list[bytes], pps: list[bytes]) -> bytes:
    """An `avcC` listing every parameter set; profile and compatibility from the first SPS,
    the highest level of all."""
    first = sps[0]
    record = bytes([1, first[1], first[2], max(unit[3] for unit in sps), 0xFC | 3, 0xE0 | len(sps)])
    record += b"".join(len(unit).to_bytes(2, "big") + unit for unit in sps)
    record += bytes([len(pps)]) + b"".join(len(unit).to_bytes(2, "big") + unit for unit in pps)
    if first[1] not in (66, 77, 88):
        record += bytes([0xFC | 1, 0xF8, 0xF8, 0])  # 4:2:0, 8-bit luma and chroma, no SPS extensions
    return record



def _source_format(video) -> tuple[int | None, list[bytes], list[bytes]]:
    extradata = bytes(video.codec_context.extradata or b"")
    if extradata[:1] == b"\x01":
        return parse_avcc(extradata)
    units = split_nal_units(extradata, None) if extradata else []
    return None, [u for u in units if nal_type(u) == NAL_SPS], [u for u in units if nal_type(u) == NAL_PPS]


SEEK_MARGINS = (0.0, 1.0, 5.0, 30.0, None)  # seconds before the target; None: from the start

_Item = TypeVar("_Item")


def _read_from(container, stream, target: int, read: Callable[[], Iterator[_Item]],
               landed: Callable[[_Item], bool]) -> Iterator[_Item]:
    """`read()` (a demux or decode of `stream`) from at or before `target`, in the stream's
    time base.  Containers without an index (MPEG-TS) seek only near a time, so each try
    checks the first item with `landed` and, if it came too late, seeks further back."""
    for margin in SEEK_MARGINS:
        if margin is None:
            container.seek(0, backward=True)
        else:
            container.seek(max(0, target - int(margin / stream.time_base)), stream=stream, backward=True)
        items = read()
        first = next(items, None)
        if first is not None and landed(first):
            return itertools.chain([first], items)
    raise SpliceError(f"could not read the {stream.type} from {float(target * stream.time_base):.3f}s")


def _first_sps(container, video, length_size: int | None) -> list[bytes]:
    container.seek(0, backward=True)
    for packet in container.demux(video):
        if packet.is_keyframe and packet.size:
            return [u for u in split_nal_units(bytes(packet), length_size) if nal_type(u) == NAL_SPS]
    return []


def plan_splice(source: Path, media: MediaInfo, start: float, end: float, min_copy: float = 1.0) -> SplicePlan | None:
    """Where to stop re-encoding and start copying, or None when a clip of [start, end] is
    better (or only) made by re-encoding all of it."""
    if media.video_codec != "h264" or media.rotation % 360 or (media.width or 1) % 2 or (media.height or 1) % 2:
        return None
    with av.open(str(source)) as container:
        video = container.streams.video[0]
        sar = video.codec_context.sample_aspect_ratio
        if video.codec_context.pix_fmt not in SPLICEABLE_PIXEL_FORMATS or (sar and sar != 1):
            return None
        length_size, sps, _ = _source_format(video)
        # The size and coding the clip's header declares come from the file's first SPS; a
        # stream that changes them later (adaptive bitrate recordings) is re-encoded whole.
        sps_by_id = {parameter_set_id(unit): unit for unit in sps or _first_sps(container, video, length_size)}
        origin, base = container_origin(container), video.time_base
        assert base is not None  # libavformat gives every demuxed stream a time base
        target = round((start + origin - 0.05) / base)
        try:
            packets = _read_from(container, video, target,
                                 lambda: (p for p in container.demux(video) if p.pts is not None or p.size),
                                 lambda p: p.pts is None or p.pts <= target)
        except SpliceError:
            return None
        first_frame, keyframes = None, []
        for packet in packets:
            if packet.pts is None:
                if packet.size:
                    return None  # timestamps the copy could not carry over
                continue
            at = float(packet.pts * base) - origin
            if packet.is_keyframe:
                if at > end + EPSILON:
                    break  # decode order never runs past a keyframe in presentation order
                units = split_nal_units(bytes(packet), length_size)
                if any(sps_by_id.get(parameter_set_id(u), u) != u for u in units if nal_type(u) == NAL_SPS):
                    return None  # a new SPS under a known id: the picture changed size or coding
                if at >= start - EPSILON:
                    if not any(nal_type(unit) == NAL_IDR for unit in units):
                        return None  # an open GOP: frames after this keyframe may refer to earlier ones
                    keyframes.append(at)
            if start - EPSILON <= at < end - EPSILON:
                first_frame = at if first_frame is None else min(first_frame, at)
            elif at > end + 10:
                break  # a file whose keyframes are further apart than that: nothing to gain
        if first_frame is None or not keyframes:
            return None
        head_end, tail_start = keyframes[0], keyframes[-1]
        if tail_start - head_end < min_copy:
            return None
        return SplicePlan(round(first_frame, 6), round(head_end, 6), round(tail_start, 6), round(end, 6))


class _EdgeEncoder:
    """libx264 for one re-encoded edge, matching the source's picture and signalling."""

    def __init__(self, video, parameter_id: int, profile: int, preset: str, crf: int, threads: int):
        context = video.codec_context
        self.codec = av.CodecContext.create("libx264", "w")
        self.codec.width, self.codec.height = context.width, context.height
        self.codec.pix_fmt = context.pix_fmt
        self.codec.time_base = video.time_base
        self.codec.framerate = video.average_rate or video.guessed_rate or Fraction(25)
        if context.sample_aspect_ratio:
            self.codec.sample_aspect_ratio = context.sample_aspect_ratio
        # The same colour signalling as the source, or the edges would shift hue in players
        # that honour it.
        for name in ("color_range", "colorspace", "color_primaries", "color_trc"):
            setattr(self.codec, name, getattr(context, name))
        self.codec.thread_count = threads
        options = {"preset": preset, "crf": str(crf),
                   # No B-frames: the edge then needs no reordering of its own; the id keeps its
                   # parameter sets apart from the source's.
                   "x264-params": f"sps-id={parameter_id}:bframes=0:scenecut=0"}
        if profile in X264_PROFILES:
            options["profile"] = X264_PROFILES[profile]
        self.codec.options = options
        self.parameter_sets: list[bytes] = []
        self.durations: dict[int, int] = {}
        self.packets: list[tuple[int, int, bytes, bool]] = []  # (pts, duration, NAL units, keyframe)

    def encode(self, frame) -> None:
        frame.pict_type = av.video.frame.PictureType.NONE  # the source's I-frames force nothing here
        self.durations[frame.pts] = frame.duration or 0
        self._collect(self.codec.encode(frame))

    def finish(self) -> None:
        self._collect(self.codec.encode(None))

    def _collect(self, packets) -> None:
        for packet in packets:
            units = split_nal_units(bytes(packet), None)
            self.parameter_sets += [u for u in units if nal_type(u) in (NAL_SPS, NAL_PPS)
                                    and u not in self.parameter_sets]
            body = [u for u in units if nal_type(u) not in (NAL_SPS, NAL_PPS, NAL_AUD)]
            duration = self.durations.get(packet.pts, 0)
            self.packets.append((packet.pts, duration, length_prefixed(body), packet.is_keyframe))

    def parameter_set(self, kind: int) -> list[bytes]:
        return [unit for unit in self.parameter_sets if nal_type(unit) == kind][:1]


def write_spliced_clip(source: Path, plan: SplicePlan, target: Path, preset: str = "veryfast", crf: int = 20,
                       threads: int = 0, audio_filter: str | None = None, audio_bitrate: int = 128_000,
                       sample_rate: int = 48_000) -> int:
    """Write the clip to `target` (MP4, moov first): the spliced picture and the first audio
    track over the same span, copied when it is AAC and `audio_filter` (an ffmpeg filter
    chain) is None, else through the filter to stereo AAC.  Returns the number of video frames.  Raises SpliceError when
    the stream proves unfit midway."""
    with av.open(str(source)) as container:
        video = container.streams.video[0]
        base = video.time_base
        assert base is not None  # libavformat gives every demuxed stream a time base
        video_packets = _spliced_video_packets(container, video, plan, preset, crf, threads)
        audio = container.streams.audio[0] if container.streams.audio else None
        copy_audio = audio is not None and audio_filter is None and audio.codec_context.name == "aac"
        audio_frames = (_clip_audio(container, audio, plan, audio_filter, sample_rate)
                        if audio is not None and not copy_audio else None)
        audio_packets = _copied_audio(container, audio, plan) if copy_audio else None
        with av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as output:
            out_video = output.add_stream_from_template(video)
            out_video.codec_context.extradata = video_packets.extradata
            out_video.time_base = base
            queue = []
            for pts, dts, duration, data, key in video_packets.packets:
                packet = av.Packet(data)
                packet.pts, packet.dts, packet.duration, packet.time_base = pts, dts, duration, base
                packet.is_keyframe = key
                packet.stream = out_video
                queue.append((float(dts * base), 0, packet))
            if audio_packets is not None:
                assert audio is not None  # audio_packets are read only when copy_audio, which needs a track
                out_audio = output.add_stream_from_template(audio)
                for packet in audio_packets:
                    packet.stream = out_audio
                    queue.append((float(packet.pts * packet.time_base), 1, packet))
            if audio_frames is not None:
                out_audio = output.add_stream("aac", rate=sample_rate, layout="stereo")
                out_audio.bit_rate = audio_bitrate
                for frame in audio_frames:
                    for packet in out_audio.encode(frame):
                        queue.append((_decode_time(packet), 1, packet))
                for packet in out_audio.encode(None):
                    queue.append((_decode_time(packet), 1, packet))
            # Interleaved by decode time, as a player streaming the file reads it.
            for _, _, packet in sorted(queue, key=lambda item: (item[0], item[1])):
                output.mux(packet)
        return len(video_packets.packets)


def _decode_time(packet: av.Packet) -> float:
    """Decode time in seconds of a packet from an encoder."""
    assert packet.dts is not None  # libavcodec's encoders stamp every packet they return
    return float(packet.dts * packet.time_base)


@dataclass
class _VideoPackets:
    extradata: bytes
    packets: list[tuple[int, int, int, bytes, bool]]  # (pts, dts, duration, data, keyframe), from 0


def _spliced_video_packets(container, video, plan: SplicePlan, preset: str, crf: int, threads: int) -> _VideoPackets:
    video.codec_context.thread_type = "AUTO"
    length_size, sps, pps = _source_format(video)
    origin, base = container_origin(container), video.time_base

    def to_pts(seconds: float) -> int:
        return round((seconds + origin) / base)

    first, head_end, tail_start, end = map(to_pts, (plan.first_frame, plan.head_end, plan.tail_start, plan.end))
    profile = sps[0][1] if sps else 100
    used = {parameter_set_id(u) for u in sps + pps}
    head_id, tail_id = [i for i in range(31, 0, -1) if i not in used][:2]  # encoders number from 0
    head = _EdgeEncoder(video, head_id, profile, preset, crf, threads)
    tail = _EdgeEncoder(video, tail_id, profile, preset, crf, threads)
    tolerance = round(EPSILON / base)

    def encode_span(encoder: _EdgeEncoder, begin: int, stop: int) -> None:
        if stop - begin <= tolerance:
            return
        frames = _read_from(container, video, begin,
                            lambda: (f for f in decode_skipping(container, video) if f.pts is not None),
                            lambda f: f.pts <= begin + tolerance)
        for frame in frames:
            if frame.pts < begin - tolerance:
                continue
            if frame.pts >= stop - tolerance:
                break
            encoder.encode(frame)
        encoder.finish()

    encode_span(head, first, head_end)
    encode_span(tail, tail_start, end)

    def from_head_end():
        return (p for p in container.demux(video) if p.pts is not None and p.pts >= head_end - tolerance)

    packets = _read_from(container, video, head_end, from_head_end,
                         lambda p: p.is_keyframe and abs(p.pts - head_end) <= tolerance)
    middle: list[tuple[int, int, int, bytes, bool]] = []
    tail_delay = None
    for packet in packets:
        if packet.pts >= tail_start - tolerance and packet.is_keyframe:
            tail_delay = packet.pts - packet.dts if packet.dts is not None else 0
            break
        units = split_nal_units(bytes(packet), length_size)
        if not middle:
            # In-band parameter sets (MPEG-TS, or a stream that changed them) win over the
            # container's under the same id.
            sps = _by_id(sps, [u for u in units if nal_type(u) == NAL_SPS])
            pps = _by_id(pps, [u for u in units if nal_type(u) == NAL_PPS])
            if {parameter_set_id(u) for u in sps + pps} & {head_id, tail_id}:
                raise SpliceError("the stream uses the parameter set ids kept for the edges")
        middle.append((packet.pts, packet.dts if packet.dts is not None else packet.pts, packet.duration or 0,
                       length_prefixed([u for u in units if nal_type(u) != NAL_AUD]), packet.is_keyframe))
    if not middle or not sps or not pps:
        raise SpliceError("no packets or parameter sets to copy")

    # The edges have no reordering; giving their decode times the same lead over their
    # presentation times as the keyframe they meet keeps decode order strictly increasing.
    head_delay = middle[0][0] - middle[0][1]
    tail_delay = head_delay if tail_delay is None else tail_delay
    stream = [(pts, pts - head_delay, duration, data, key) for pts, duration, data, key in head.packets]
    stream += middle
    stream += [(pts, pts - tail_delay, duration, data, key) for pts, duration, data, key in tail.packets]
    if any(b[1] <= a[1] for a, b in zip(stream, stream[1:])):
        raise SpliceError("decode timestamps would not increase")
    if any(dts > pts for pts, dts, *_ in stream):
        raise SpliceError("a frame would be decoded after it is shown")
    edges = (head, tail)
    extradata = build_avcc(sps + [u for e in edges for u in e.parameter_set(NAL_SPS)],
                           pps + [u for e in edges for u in e.parameter_set(NAL_PPS)])
    # The first picture is shown at 0; decode times before it become the edit list's lead.
    return _VideoPackets(extradata, [(pts - first, dts - first, duration, data, key)
                                     for pts, dts, duration, data, key in stream])


def _copied_audio(container, audio, plan: SplicePlan) -> list:
    """AAC packets covering [first_frame, end), shifted so the clip's first picture is at 0.
    One packet more at the start is decoder pre-roll (AAC overlaps each frame with the one
    before); it gets a negative time, which the MP4 edit list hides."""
    origin, base = container_origin(container), audio.time_base
    begin, stop = plan.first_frame + origin, plan.end + origin
    packets = _read_from(container, audio, int(begin / base),
                         lambda: (p for p in container.demux(audio) if p.pts is not None and p.size),
                         lambda p: float(p.pts * base) <= begin + 1e-3)
    kept, before = [], None
    for packet in packets:
        at, length = float(packet.pts * base), float((packet.duration or 0) * base)
        if at >= stop:
            break
        if at + length <= begin:
            before = packet
            continue
        kept.append(packet)
    if before is not None:
        kept.insert(0, before)
    shift = round(begin / base)
    for packet in kept:
        packet.pts -= shift
        packet.dts = packet.pts
    return kept


def _by_id(known: list[bytes], found: list[bytes]) -> list[bytes]:
    merged = {parameter_set_id(unit): unit for unit in known}
    merged.update({parameter_set_id(unit): unit for unit in found})
    return list(merged.values())


def _clip_audio(container, audio, plan: SplicePlan, audio_filter: str | None, sample_rate: int):
    """Frames of the first audio track over [first_frame, end), filtered, as 48 kHz stereo
    AAC-sized frames starting at pts 0."""
    origin = container_origin(container)
    begin, stop = plan.first_frame + origin, plan.end + origin
    chain = [f"atrim=start={begin:.6f}:end={stop:.6f}", "asetpts=PTS-STARTPTS"]
    chain += [part for part in (audio_filter or "").split(",") if part]
    chain += [f"aresample={sample_rate}", "aformat=sample_fmts=fltp:channel_layouts=stereo"]
    graph = av.filter.Graph()
    node = graph.add_abuffer(template=audio)
    for part in chain:
        name, _, args = part.partition("=")
        following = graph.add(name, args or None)
        node.link_to(following)
        node = following
    node.link_to(graph.add("abuffersink"))
    graph.configure()
    graph.set_audio_frame_size(1024)  # what the AAC encoder takes

    def pull():
        while True:
            try:
                yield graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return

    frames = _read_from(container, audio, int(begin / audio.time_base),
                        lambda: (f for f in decode_skipping(container, audio) if f.pts is not None),
                        lambda f: float(f.pts * audio.time_base) <= begin)
    for frame in frames:
        if float(frame.pts * audio.time_base) > stop + 0.5:
            break
        try:
            graph.push(frame)
        except av.error.EOFError:
            break  # atrim has all it needs
        yield from pull()
    try:
        graph.push(None)
    except av.error.EOFError:
        pass
    yield from pull()
