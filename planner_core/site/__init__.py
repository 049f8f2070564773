"""The building around the fleet, on plain numbers: the electrical chain and its redundancy
(``electrical``), the cooling plant (``cooling``), each pool's scale-out fabric (``fabric``) and
the floor's halls and rows (``floor``). The engine feeds it the sized fleet
(``engine.site_power``, ``engine.site_details``); it knows nothing of the engine."""
