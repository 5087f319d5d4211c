"""An example vrhub extension: ambulance service call-outs for assault.

It holds a dataset standard (:mod:`.dataset`), a measure (:mod:`.measure`) and a report section
(:mod:`.section`); its ``pyproject.toml`` names each in vrhub's entry-point groups.
"""
