"""Events of the plan structure, for the apps above this one (programs never imports them).

`plan_structure_changed` is sent, inside the writing transaction, whenever what decides who must report on a plan
may have changed: its periods, work items, office participation, conditional confirmations or responsible
departments (load_plan, the admin). tracking keeps its reporting obligations in step on it; a receiver that refuses
the change raises ValidationError, which undoes the whole write.
"""

from django.dispatch import Signal

plan_structure_changed = Signal()  # keyword argument: plan
