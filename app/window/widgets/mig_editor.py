"""MIG editor: draws one pool's GPUs as their MIG slices and offers only layouts NVIDIA allows.

The editor is a view plus requests. It never edits the plan: every user action emits
``layoutEdited`` with the layout the user asked for (a list of ``{"profile", "workload"}``
dicts, or None for "MIG off"); the owner applies it as an undo command and calls
:meth:`MigEditor.set_pool` with the new state. Which layouts are legal is decided only by
:mod:`planner_core.catalog.mig`, so the buttons can never offer something the engine would refuse.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QPixmap,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from planner_core import PlannerError
from planner_core.catalog import Accelerator, MigSpec
from planner_core.catalog.mig import place
from planner_core.plan import MigSlice

from .mig_drawing import (
    WORKLOAD_HUES,
    GpuView,
    place_indexed,
    profile_facts,
)

#: Profile buttons per row; 4 keeps a 7-profile GPU at two rows in a narrow dock.
BUTTON_COLUMNS = 4


def _set_enabled(widget: QWidget, on: bool) -> None:
    # The widget's own flag, not isEnabled(): that is also False while an ancestor is disabled.
    if widget.testAttribute(Qt.WidgetAttribute.WA_ForceDisabled) == on:
        widget.setEnabled(on)


def _set_visible(widget: QWidget, on: bool) -> None:
    if widget.isHidden() == on:
        widget.setVisible(on)


def _set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


def _set_tip(widget: QWidget, tip: str) -> None:
    if widget.toolTip() != tip:
        widget.setToolTip(tip)


#: The drawing's area is never made narrower than this; below its own minimum it scrolls.
NARROWEST = 300


class _ElidedLabel(QLabel):
    """One line that shortens itself with … instead of widening the panel; full text on hover."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self._suffix = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str, suffix: str = "") -> None:
        """Show ``text + suffix``, shortening only ``text``: the suffix (a grade) always shows."""
        self._full, self._suffix = text, suffix
        self._refit()

    def full_text(self) -> str:
        return self._full + self._suffix

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._refit()

    def _refit(self) -> None:
        fm = self.fontMetrics()
        width = max(self.contentsRect().width() - fm.horizontalAdvance(self._suffix), 1)
        super().setText(fm.elidedText(self._full, Qt.TextElideMode.ElideRight, width)
                        + self._suffix)


class MigEditor(QWidget):
    """Edits the MIG layout shared by every GPU of one pool; emits requests, never edits."""

    layoutEdited = Signal(object)  # list[dict] like [{"profile": ..., "workload": ...}] or None

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.accelerator: Accelerator | None = None
        self.gpus = 1
        self.slices: list[tuple[str, str]] | None = None  # (profile, workload) as last set
        self.workloads: list[str] = []
        self.profile_buttons: dict[str, QPushButton] = {}
        self.error = ""  # why the current layout is not allowed, if it is not

        self.enable_box = QCheckBox("Partition every GPU with MIG")
        self.enable_box.setToolTip(
            "Multi-Instance GPU splits each GPU into isolated slices, each with its own compute "
            "and memory, so small workloads can share a GPU. Every GPU in the pool gets the "
            "same layout.")
        self.enable_box.toggled.connect(self._on_enable_toggled)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.workload_box = QComboBox()
        self.workload_box.setToolTip("The workload the next slice you add will serve")
        self.workload_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.workload_box.setMinimumContentsLength(10)
        workload_label = QLabel("Next slice serves:")
        workload_label.setBuddy(self.workload_box)

        self.button_area = QWidget()
        self.button_grid = QGridLayout(self.button_area)
        self.button_grid.setContentsMargins(0, 0, 0, 0)
        # The group reports which button by id, so the buttons, rebuilt whenever the
        # accelerator changes, need no closures over self.
        self.button_group = QButtonGroup(self)
        self.button_group.setExclusive(False)
        self.button_group.idClicked.connect(self._on_profile_clicked)

        self.view = GpuView()
        self.view.sliceClicked.connect(self.select_slice)
        self.view.removeRequested.connect(self.remove_selected)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.view)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        # In a narrow window the drawing scrolls sideways by itself: passing its whole width
        # on made the Fleet panel wider than its column at 1280 and 1440 pixels.
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.caption_label = QLabel()
        self.caption_label.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.source_label = _ElidedLabel()

        self.remove_button = QPushButton("Remove slice")
        self.remove_button.setToolTip("Remove the selected slice from every GPU of the pool "
                                      "(Delete)")
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove every slice: the GPUs run whole, without MIG")
        self.clear_button.clicked.connect(self.clear)

        top = QHBoxLayout()
        top.addWidget(workload_label)
        top.addWidget(self.workload_box, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.remove_button)
        actions.addWidget(self.clear_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.enable_box)
        layout.addWidget(self.status_label)
        layout.addLayout(top)
        layout.addWidget(self.button_area)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.caption_label)
        layout.addLayout(actions)
        layout.addWidget(self.source_label)
        layout.addStretch(0)
        self._sync()
        self._fit_scroll()

    # ----- public -----

    def set_pool(self, accelerator: Accelerator, gpus: int, slices: list[MigSlice] | None,
                 workloads: list[str]) -> None:
        """Show ``accelerator``'s pool (``gpus`` per system) with ``slices`` on every GPU."""
        new = None if slices is None else [(s.profile, s.workload) for s in slices]
        if new != self.slices or accelerator is not self.accelerator:
            self.view.selected = -1  # an index into a different layout would point elsewhere
        self.accelerator = accelerator
        self.gpus = max(0, int(gpus))
        self.slices = new
        self.workloads = list(workloads)
        self._sync()

    def layout_now(self) -> list[dict[str, str]] | None:
        """The layout on show, in the form ``layoutEdited`` uses."""
        if self.slices is None:
            return None
        return [{"profile": p, "workload": w} for p, w in self.slices]

    def select_slice(self, index: int) -> None:
        """Select slice ``index`` of the layout (-1 or an out-of-range index: none)."""
        count = len(self.slices or [])
        self.view.selected = index if 0 <= index < count else -1
        if self.view.selected >= 0:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._sync_actions()
        self.view.update()

    def selected_slice(self) -> int:
        return self.view.selected

    def remove_selected(self) -> None:
        index = self.view.selected
        if self.slices is None or not 0 <= index < len(self.slices):
            return
        self._request(self.slices[:index] + self.slices[index + 1:])

    def add_slice(self, profile: str) -> None:
        """Ask for ``profile`` serving the workload chosen in the combo, if that is allowed."""
        button = self.profile_buttons.get(profile)
        if button is None or not button.isEnabled():
            return
        self._request((self.slices or []) + [(profile, self.workload_box.currentText())])

    def clear(self) -> None:
        """Ask for MIG off."""
        self._request(None)

    # ----- requests -----

    def _on_profile_clicked(self, k: int) -> None:
        names = list(self.profile_buttons)
        if 0 <= k < len(names):
            self.add_slice(names[k])

    def _request(self, layout: list[tuple[str, str]] | None) -> None:
        # An empty layout is not a MIG layout (the engine refuses it): it means MIG off.
        self.layoutEdited.emit(
            [{"profile": p, "workload": w} for p, w in layout] if layout else None)

    def _on_enable_toggled(self, checked: bool) -> None:
        # The box shows the plan, not the click: put it back and let set_pool move it if the
        # owner accepts the request.
        self.enable_box.blockSignals(True)
        self.enable_box.setChecked(self.slices is not None)
        self.enable_box.blockSignals(False)
        if not checked:
            self._request(None)
            return
        if self.slices:
            return
        first = self._largest_alone()
        if first is not None and self.workload_box.count():
            self._request([(first, self.workload_box.currentText())])

    def _largest_alone(self) -> str | None:
        spec = self._spec()
        if spec is None:
            return None
        fits = [p for p in spec.profiles if self._why_not(spec, [p.name]) is None]
        if not fits:
            return None
        # Media-extension variants are the same size but reserve scarce engines: prefer plain.
        return max(fits, key=lambda p: (p.memory_slices, p.compute_slices,
                                        not p.media_extensions)).name

    # ----- syncing the widgets to the state -----

    def _spec(self) -> MigSpec | None:
        return self.accelerator.mig if self.accelerator is not None else None

    @staticmethod
    def _squeezed(spec: MigSpec, names: list[str]) -> list[tuple[int, float, float]]:
        """A layout NVIDIA does not allow, side by side in layout order and shrunk to one bar,
        so its slices can still be seen, selected and removed."""
        widths = []
        for n in names:
            try:
                widths.append(float(spec.profile(n).memory_slices))
            except PlannerError:  # a profile of another GPU: give it one slice of room
                widths.append(1.0)
        scale = min(1.0, spec.memory_slices / sum(widths))
        boxes, offset = [], 0.0
        for i, w in enumerate(widths):
            boxes.append((i, offset, w * scale))
            offset += w * scale
        return boxes

    @staticmethod
    def _why_not(spec: MigSpec, names: list[str]) -> str | None:
        try:
            place(spec, names)
        except PlannerError as exc:
            return exc.detail
        return None

    def _colors(self) -> dict[str, QColor]:
        names = list(self.workloads)
        names += sorted({w for _, w in self.slices or []} - set(names))
        return {w: QColor(WORKLOAD_HUES[i % len(WORKLOAD_HUES)]) for i, w in enumerate(names)}

    def _sync(self) -> None:
        spec = self._spec()
        colors = self._colors()
        self._sync_workloads(colors)
        self._sync_buttons(spec)

        self.error = ""
        names = [p for p, _ in self.slices or []]
        boxes: list[tuple[int, float, float]] = []
        if spec is not None and names:
            try:
                boxes = [(i, offset, spec.profile(names[i]).memory_slices)
                         for i, offset in place_indexed(spec, names)]
            except PlannerError as exc:
                self.error = exc.detail
                boxes = self._squeezed(spec, names)
        if spec is None:
            message = "no MIG" if self.accelerator is not None else ""
        elif not names:
            message = "whole GPU — MIG off" if self.slices is None else "no slices yet"
        else:
            message = ""
        self._sync_view(spec, names, boxes, colors, message)

        if self.enable_box.isChecked() != (self.slices is not None):
            self.enable_box.blockSignals(True)
            self.enable_box.setChecked(self.slices is not None)
            self.enable_box.blockSignals(False)
        _set_enabled(self.enable_box,
                     spec is not None and (self.slices is not None or bool(self.workloads)))
        _set_enabled(self.workload_box, spec is not None and bool(self.workloads))
        _set_enabled(self.view, spec is not None)

        name = self.accelerator.name if self.accelerator is not None else ""
        if self.accelerator is None:
            status = "No pool selected."
        elif spec is None:
            status = f"{name} does not offer MIG"
        elif self.error:
            status = f"This layout is not allowed: {self.error}. Remove a slice or clear it."
        elif not self.workloads and not self.slices:
            status = "Add a workload to the plan first: every slice serves one."
        else:
            status = ""
        _set_text(self.status_label, status)
        _set_visible(self.status_label, bool(status))

        _set_text(self.summary_label, self._summary(spec, names))
        _set_tip(self.summary_label, self._per_workload(spec))
        _set_text(self.caption_label, self._caption(spec))
        _set_tip(self.caption_label, "" if spec is None else (
            f"Each bar is one GPU's {spec.memory_slices} memory slices, with every slice drawn "
            f"at the offset NVIDIA places it; the thin strip under it shows the "
            f"{spec.compute_slices} compute slices in use. MIG partitions every GPU of a pool "
            "alike."))
        _set_visible(self.caption_label, spec is not None)
        source, grade, tip = "", "", ""
        if spec is not None:
            source = f"MIG data: {spec.source.split(';')[0].strip()}"
            grade = f" [{spec.grade}]"
            tip = (f"<b>Source of the MIG profiles</b> (grade {html.escape(spec.grade)})<br>"
                   f"{html.escape(spec.source)}")
        if self.source_label.full_text() != source + grade:
            self.source_label.set_full_text(source, grade)
        _set_tip(self.source_label, tip)
        _set_visible(self.source_label, spec is not None)
        self._sync_actions()

    def _sync_view(self, spec: MigSpec | None, names: list[str],
                   boxes: list[tuple[int, float, float]], colors: dict[str, QColor],
                   message: str) -> None:
        view = self.view
        workloads = [w for _, w in self.slices or []]
        state = (spec, names, boxes, bool(self.error), workloads, max(1, self.gpus),
                 [(w, c.name()) for w, c in colors.items()], message)
        old = (view.spec, view.names, view.boxes, view.invalid, view.workloads, view.gpus,
               [(w, c.name()) for w, c in view.colors.items()], view.message)
        if state == old:
            return
        resized = view.gpus != state[5]
        view.spec, view.names, view.boxes, view.invalid = spec, names, boxes, bool(self.error)
        view.workloads, view.gpus, view.colors, view.message = (workloads, max(1, self.gpus),
                                                                colors, message)
        if resized:
            view.updateGeometry()
            self._fit_scroll()
        view.update()

    def _fit_scroll(self) -> None:
        # No taller than the drawing at its roomiest, so the summary stays right under it and
        # spare height goes below everything instead of into an empty drawing.
        frame = 2 * self.scroll.frameWidth()
        tallest = self.view.sizeHint().height() + frame
        if self.scroll.maximumHeight() != tallest:
            self.scroll.setMaximumHeight(tallest)
        # The view's own minimum does not reach the scroll area's, so pass it on by hand.
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        least = QSize(min(self.view.minimumSizeHint().width(), NARROWEST) + bar + frame,
                      self.view.least_height() + frame)
        if self.scroll.minimumSize() != least:
            self.scroll.setMinimumSize(least)

    def _sync_workloads(self, colors: dict[str, QColor], force: bool = False) -> None:
        box = self.workload_box
        shown = [(box.itemText(i), box.itemData(i)) for i in range(box.count())]
        wanted = [(w, colors[w].name()) for w in self.workloads]
        if shown == wanted and not force:
            return
        keep = box.currentText()
        box.blockSignals(True)
        box.clear()
        side = self.fontMetrics().height()
        dpr = self.devicePixelRatioF()
        for w, color in wanted:
            pixmap = QPixmap(QSize(side, side) * dpr)
            pixmap.setDevicePixelRatio(dpr)
            pixmap.fill(QColor(color))
            box.addItem(QIcon(pixmap), w, color)
        if keep in self.workloads:
            box.setCurrentIndex(self.workloads.index(keep))
        box.blockSignals(False)

    def _sync_buttons(self, spec: MigSpec | None) -> None:
        wanted = [p.name for p in spec.profiles] if spec is not None else []
        if list(self.profile_buttons) != wanted:
            for button in self.profile_buttons.values():
                self.button_group.removeButton(button)
                self.button_grid.removeWidget(button)
                button.deleteLater()
            self.profile_buttons = {}
            for k, profile in enumerate(wanted):
                button = QPushButton(f"+ {profile}")
                button.setAccessibleName(f"Add a {profile} slice")
                self.button_group.addButton(button, k)
                self.button_grid.addWidget(button, k // BUTTON_COLUMNS, k % BUTTON_COLUMNS)
                self.profile_buttons[profile] = button
        _set_visible(self.button_area, bool(wanted))
        if spec is None:
            return
        current = [p for p, _ in self.slices or []]
        for p in spec.profiles:
            button = self.profile_buttons[p.name]
            why = self._why_not(spec, current + [p.name])
            if why is None and not self.workloads:
                why = "the plan has no workload for the slice to serve"
            _set_enabled(button, why is None)
            tip = f"<b>{html.escape(p.name)}</b><br>{profile_facts(p, spec)}"
            if why is None:
                tip += "<br><i>Click to add one to every GPU of the pool.</i>"
            else:
                tip += f"<br><b>Cannot add:</b> {html.escape(why)}"
            _set_tip(button, tip)

    def _sync_actions(self) -> None:
        spec = self._spec()
        _set_enabled(self.remove_button, spec is not None and self.view.selected >= 0)
        _set_enabled(self.clear_button, spec is not None and self.slices is not None)
        if spec is not None and self.slices and self.view.selected < 0:
            tip = "Click a slice in the drawing first, then remove it (or press Delete)"
        else:
            tip = "Remove the selected slice from every GPU of the pool (Delete)"
        _set_tip(self.remove_button, tip)

    def _summary(self, spec: MigSpec | None, names: list[str]) -> str:
        if spec is None:
            return ""
        if self.slices is None:
            return "MIG off: each GPU serves as one whole device."
        if not names:
            return "MIG on but no slices yet: add one with the buttons above."
        sizes = {p.name: p for p in spec.profiles}  # a foreign profile counts as nothing
        compute = sum(sizes[n].compute_slices for n in names if n in sizes)
        memory = sum(sizes[n].memory_slices for n in names if n in sizes)
        counts = Counter(names)
        order = sorted(counts, key=lambda n: (-sizes[n].memory_slices if n in sizes else 0, n))
        # A no-break space keeps each "2× 1g.10gb" on one line when the summary wraps.
        mix = ", ".join(f"{counts[n]}×\u00a0{n}" for n in order)
        plural = "slice" if len(names) == 1 else "slices"
        return (f"{len(names)} {plural}: {compute}/{spec.compute_slices} compute, "
                f"{memory}/{spec.memory_slices} memory slices used · {mix}")

    def _per_workload(self, spec: MigSpec | None) -> str:
        if spec is None or not self.slices:
            return ""
        by: dict[str, list[str]] = defaultdict(list)
        for p, w in self.slices:
            by[w].append(p)
        lines = []
        for w, profiles in by.items():
            counts = Counter(profiles)
            mix = ", ".join(f"{c}× {html.escape(n)}" for n, c in counts.items())
            lines.append(f"<b>{html.escape(w)}</b>: {mix}")
        return "Per GPU:<br>" + "<br>".join(lines)

    def _caption(self, spec: MigSpec | None) -> str:
        if spec is None:
            return ""
        gpus = self.gpus
        if gpus > 1:
            text = f"All {gpus} GPUs of each system have the same layout"
        else:
            text = "Every GPU of the pool has the same layout"
        if self.slices and not self.error:
            return f"{text}: {max(gpus, 1) * len(self.slices)} MIG instances per system."
        return text + "."

    def changeEvent(self, event: QEvent) -> None:
        # Combo swatches and the drawing's limits are sized from the font: redo them with it.
        if event.type() == QEvent.Type.FontChange and hasattr(self, "view"):
            self._sync_workloads(self._colors(), force=True)
            self._fit_scroll()
            self.view.update()
        super().changeEvent(event)
