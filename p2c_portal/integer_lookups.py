"""`__in` on integer columns ignores numbers no such column can hold.

Django already answers "nothing" for `id=<a number past the column's range>` (its
IntegerFieldOverflow lookups) but not for `id__in=[…]`: SQLite's driver then refuses to bind the
number (OverflowError, a 500) when a form checks a posted list of choices against the database
(ModelMultipleChoiceField, the admin's autocomplete). A value no row can have is left out of the
list; with none left, the lookup matches nothing, as an empty `__in` does. Registered on
IntegerField, so every integer and auto field inherits it (p2c_portal.apps).
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldInRange(In):
    lookup_name = "in"

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_ranges.get(
                self.lhs.output_field.get_internal_type(), (None, None))
            self.rhs = [
                value for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldInRange)
