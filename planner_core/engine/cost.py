"""Cost: CapEx annualized with the cost of capital, yearly OpEx, and TCO per million tokens.

TCO per million tokens = (annualized CapEx + yearly OpEx) / (tokens served per year / 1e6).
Every function broadcasts over numpy arrays.
"""

from __future__ import annotations

import numpy as np

HOURS_PER_YEAR = 8760.0


def capital_recovery_factor(rate, years):
    """Share of a capital sum to pay each year to repay it with interest over ``years``.

    r(1+r)^n / ((1+r)^n - 1), with (1+r)^n - 1 computed as expm1(n·log1p(r)) so a tiny rate
    tends to 1/n instead of dividing by a difference that rounded to zero.
    """
    r = np.asarray(rate, float)
    n = np.asarray(years, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        grown = np.expm1(n * np.log1p(r))  # (1 + r)^n - 1
        crf = np.where(r > 0, r * (grown + 1.0) / grown, 1.0 / n)
    return crf


def capex(systems_usd, network_usd, installation_pct):
    """Hardware capex: systems, their scale-out network, and installation as a share of the
    systems' price."""
    return systems_usd * (1.0 + installation_pct / 100.0) + network_usd


def yearly_opex(energy_kwh_per_year, usd_per_kwh, hardware_capex, maintenance_pct,
                it_kw_provisioned, colocation_usd_per_kw_month, facility_annual_usd):
    """(energy, maintenance, facility) per year in USD."""
    energy = energy_kwh_per_year * usd_per_kwh
    maintenance = hardware_capex * maintenance_pct / 100.0
    facility = it_kw_provisioned * colocation_usd_per_kw_month * 12.0 + facility_annual_usd
    return energy, maintenance, facility


def usd_per_million_tokens(annual_usd, tokens_per_year):
    t = np.asarray(tokens_per_year, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(t > 0, annual_usd / (t / 1e6), np.inf)
