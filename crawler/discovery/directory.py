"""``directory``: a parent's column or platform links to its children by name.

A link counts when its text names one division under the page's owner (full name, short name
such as 临漳 for 临漳县, or the name with 预决算公开 after it), read with `govbudget.regions.named_in`
in the owner's context, so a short name two provinces share is read as the owner's. The page the
link leads to (after redirects) must then not name another division: a link to the neighbour's
column under the wrong name, or a redirect to the city's own platform, is refused and kept as an
`Attempt`. A page that names the child is the child's; one that names no division is accepted with
less confidence when it is a budget column. A child's home page (not a column) is handed to
`navigation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from govbudget.crawler.discovery.children import child_links, is_directory_of, own_links
from govbudget.crawler.discovery.column import is_column
from govbudget.crawler.discovery.fetch import PageFetcher
from govbudget.crawler.discovery.found import Attempt, Found
from govbudget.crawler.discovery.identity import identity, verdict
from govbudget.crawler.discovery.navigation import navigate
from govbudget.regions import Division

LINK_ONLY = 0.5  # a budget column that names no division, linked by name from its parent's page


@dataclass
class DirectoryRead:
    """What one directory page gave: children's entry points, and children's own directories."""

    found: list[Found] = field(default_factory=list)
    directories: list[tuple[str, Division]] = field(default_factory=list)


def from_directory(fetcher: PageFetcher, page_url: str, owner: Division | None, *, depth: int,
                   attempts: list[Attempt]) -> DirectoryRead:
    """Entry points of ``owner``'s children linked from the directory page at ``page_url``.

    A link that leads to a child's own directory (a city's page of its counties' columns) is no
    entry point of the child: it is returned to be read in turn, and the child's column is looked
    for from its site's home page instead.
    """
    read = DirectoryRead()
    found = read.found
    page = fetcher.get(page_url)
    if not page.ok:
        attempts.append(Attempt(owner.code if owner else "", "directory", page_url, page_url, "dead",
                                page.error or f"HTTP {page.status}"))
        return read
    candidates = child_links(page.text, page.final_url, owner)
    if owner is not None:
        candidates += own_links(page.text, page.final_url, owner)
    for child, url, text in candidates:
        target = fetcher.get(url)
        if not target.ok:
            attempts.append(Attempt(child.code, "directory", url, page.final_url, "dead",
                                    target.error or f"HTTP {target.status}"))
            continue
        said = verdict(identity(target.text), child)
        column = is_column(target.text, target.final_url)
        if said.other is None and child != owner and is_directory_of(target.text, target.final_url, child):
            read.directories.append((target.final_url, child))
            hit = _from_home(fetcher, target.final_url, child, depth=depth, attempts=attempts)
            if hit is not None:
                found.append(hit)
            continue
        if said.other is not None:
            detail = f"link {text!r} leads to a page of {said.other.full_name} ({said.evidence})"
            attempts.append(Attempt(child.code, "directory", target.final_url, page.final_url, "names_other",
                                    detail))
            continue
        if column and said.names:
            found.append(Found(child, target.final_url, "directory", page.final_url, said.confidence,
                               f"link {text!r}; {said.evidence}", label=text))
        elif column:
            found.append(Found(child, target.final_url, "directory", page.final_url, LINK_ONLY,
                               f"link {text!r}; the column names no division", label=text))
        elif said.names:  # the child's home page: walk to its column
            hit = navigate(fetcher, target.final_url, child, home_confidence=said.confidence, depth=depth,
                           attempts=attempts)
            if hit is not None:
                found.append(hit)
        else:
            attempts.append(Attempt(child.code, "directory", target.final_url, page.final_url, "not_a_column",
                                    f"link {text!r} leads to a page that is no column and names no division"))
    return read


def _from_home(fetcher: PageFetcher, url: str, child: Division, *, depth: int,
               attempts: list[Attempt]) -> Found | None:
    """``child``'s column found from the home page of the host serving its directory."""
    parts = urlsplit(url)
    home = fetcher.get(f"{parts.scheme}://{parts.netloc}/")
    if not home.ok:
        return None
    said = verdict(identity(home.text), child)
    if not said.names:
        return None
    return navigate(fetcher, home.final_url, child, home_confidence=said.confidence, depth=depth,
                    attempts=attempts)
