"""The embedded London scenario: works with no file and no network."""

from resources.london.boroughs import BOROUGH_CENTRES, london_areas
from resources.london.build import build_london
from resources.london.thames import thames_course
from resources.london.week import build_london_week

__all__ = ["BOROUGH_CENTRES", "build_london", "build_london_week", "london_areas", "thames_course"]
