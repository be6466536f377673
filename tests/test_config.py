import pytest

from pipeline.config import AsrOptions, PipelineOptions, ToneOptions
from pipeline.errors import ConfigError


def test_nested_dicts_become_the_options_dataclasses():
    options = PipelineOptions.of({"asr": {"beam_size": 1}, "tone": {"pace_sps": [2.5, 4.5]}})
    assert isinstance(options.asr, AsrOptions) and options.asr.beam_size == 1
    assert options.asr.model == AsrOptions().model  # the rest keeps its defaults
    assert isinstance(options.tone, ToneOptions) and options.tone.pace_sps == (2.5, 4.5)


def test_a_misspelt_key_is_refused_by_name_with_the_valid_ones():
    with pytest.raises(ConfigError) as refused:
        PipelineOptions.of({"asr": {"beam_sz": 1}})
    assert "asr.beam_sz" in refused.value.message
    assert "beam_size" in refused.value.hint and "compute_type" in refused.value.hint
    with pytest.raises(ConfigError, match="unknown PipelineOptions option"):
        PipelineOptions.of({"asrr": {}})
    with pytest.raises(ConfigError, match="asr must be a mapping"):
        PipelineOptions.of({"asr": 5})
