"""Checks for exercise 1: the Loyalty bounded context (``ex01_bounded_contexts.py``)."""
from orchestra import World
from orchestra.grading import points
from orchestra.shop import CATALOGUE

RED_DRESS = CATALOGUE["red-dress"]  # 8,900 cents: 89 points


def award(exercise, world, order_id="o-1", customer="ada", amount_cents=RED_DRESS):
    """Send AwardPoints through the world and return the reply."""
    return world.call(exercise.AwardPoints(customer=customer, order_id=order_id,
                                           amount_cents=amount_cents))


def redeem(exercise, world, points_wanted, customer="ada", order_id="o-2"):
    """Send RedeemPoints through the world and return the reply."""
    return world.call(exercise.RedeemPoints(customer=customer, order_id=order_id,
                                            points=points_wanted))


@points(1, hint="In __init__, keep a copy of `balances` on self (say self.balances); "
                 "balance() returns self.balances.get(customer, 0).")
def test_ada_starts_with_the_points_she_was_given(exercise):
    loyalty = exercise.Loyalty({"ada": 50})
    assert loyalty.balance("ada") == 50, f"balance('ada') is {loyalty.balance('ada')!r}, not 50"
    assert loyalty.balance("grace") == 0, "a customer never seen has 0 points"
    assert exercise.Loyalty().balance("ada") == 0, "Loyalty() with no balances starts everyone at 0"


@points(2, hint="award_points adds command.amount_cents // 100 to the customer's balance "
                 "and returns {'points': <new balance>}.")
def test_buying_the_red_dress_earns_ada_89_points(exercise):
    loyalty = exercise.Loyalty()
    reply = award(exercise, World([loyalty]))
    assert reply.ok, f"AwardPoints failed: {reply.error}"
    assert reply.result == {"points": 89}, f"the reply's result is {reply.result}, not 89 points"
    assert loyalty.balance("ada") == 89


@points(1, hint="Remember which order ids earned points (a set on self); an order seen "
                 "before changes nothing. The world gives each send a new message id, so "
                 "this is your rule, not the library's.")
def test_the_same_order_earns_points_only_once(exercise):
    loyalty = exercise.Loyalty()
    world = World([loyalty])
    award(exercise, world, order_id="o-1")
    again = award(exercise, world, order_id="o-1")
    assert again.ok, f"AwardPoints failed: {again.error}"
    assert loyalty.balance("ada") == 89, (f"order o-1 awarded twice left ada with "
                                          f"{loyalty.balance('ada')} points, not 89")
    award(exercise, world, order_id="o-2")
    assert loyalty.balance("ada") == 178, "a second order, o-2, earns its own 89 points"


@points(1, hint="Keep the state on the instance (self.balances = dict(balances or {})), "
                 "not on the class, and copy the dict you are given.")
def test_two_loyalty_services_keep_their_own_balances(exercise):
    given = {"ada": 5}
    first, second = exercise.Loyalty(given), exercise.Loyalty()
    award(exercise, World([first]))
    assert first.balance("ada") == 94
    assert second.balance("ada") == 0, ("points awarded by one Loyalty showed up in another: "
                                        "is the state on the class instead of self?")
    assert given == {"ada": 5}, "Loyalty changed the dict it was given; keep a copy"


@points(1, hint="redeem_points takes command.points off the balance and returns "
                 "{'points': <new balance>}.")
def test_redeeming_takes_the_points_off(exercise):
    loyalty = exercise.Loyalty({"ada": 100})
    reply = redeem(exercise, World([loyalty]), 30)
    assert reply.ok, f"RedeemPoints failed: {reply.error}"
    assert reply.result == {"points": 70}, f"the reply's result is {reply.result}, not 70 points"
    assert loyalty.balance("ada") == 70


@points(2, hint="raise Rejected(f'... has {have} points ...') when the balance is too small: "
                 "a business refusal, answered at once and never retried (a ValueError "
                 "would be retried as if the service had hiccuped).")
def test_redeeming_more_points_than_ada_has_is_refused_and_says_how_many_she_has(exercise):
    loyalty = exercise.Loyalty({"ada": 20})
    reply = redeem(exercise, World([loyalty]), 50)
    assert not reply.ok, "ada redeemed 50 points with only 20: the service should refuse"
    assert reply.rejected, (f"the refusal was not a Rejected (the error was {reply.error!r}); "
                            "raise Rejected for a business rule")
    assert reply.attempts == 1, "a rejected command is not retried"
    assert "20" in reply.error, f"the refusal {reply.error!r} does not say ada has 20 points"
    assert loyalty.balance("ada") == 20, "a refused redemption must not change the balance"
