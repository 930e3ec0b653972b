"""Subtitles in the other languages: offline machine translation, one concern a module.

- `engines`: the `Engine` interface and its three engines (Argos, Apertium, Whisper).
- `argos`: Argos Translate packages (install, check, run with CTranslate2).
- `apertium`: Apertium's installed modes, run one process per track and hop.
- `routes`: the route planner over every engine.
- `protect`: placeholders for names, codes, prices and URLs.
- `cache`: the SQLite cache of every hop's output.
- `timing`: sentences to translate, and translated sentences spread over the speech.
- `tracks`: the subtitle tracks a run asks for, labelled (`subtitle_tracks`,
  `translation_fingerprint`)."""
