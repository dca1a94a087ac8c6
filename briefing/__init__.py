"""briefing: turn a pile of news articles into a structured intelligence briefing, every item cited.

from briefing import generate_briefing
b = generate_briefing(["seeds/"])          # embedded model when no endpoint is configured
print(b.summary[0].text, b.summary[0].citations[0].quote)
"""

from .api import agenerate_briefing, generate_briefing
from .config import Settings
from .errors import BriefingError, ConfigError, ModelError, NothingToBrief, SourceError
from .models import Briefing, Citation

__all__ = [
    "Briefing",
    "BriefingError",
    "Citation",
    "ConfigError",
    "ModelError",
    "NothingToBrief",
    "Settings",
    "SourceError",
    "agenerate_briefing",
    "generate_briefing",
]
__version__ = "0.1.0"
