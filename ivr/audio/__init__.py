"""Recorded audio: TTS engines, telephone processing, the content-addressed store, the build."""
