"""Configuration: the validated schema and its loading from YAML, dicts and overrides."""

from alife.config.loading import ConfigError, config_to_yaml, load_config
from alife.config.schema import Config

__all__ = ["Config", "ConfigError", "config_to_yaml", "load_config"]
