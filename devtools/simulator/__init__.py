"""Local simulator of Chinese government portals, so crawler tests never reach the internet."""

from govbudget.simulator.server import PortalSimulator
from govbudget.simulator.sites import SiteInfo

__all__ = ["PortalSimulator", "SiteInfo"]
