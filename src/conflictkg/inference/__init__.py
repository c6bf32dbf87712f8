"""What follows from the data: the OWL RL closure (owlrl and the closed TBox the fast rules apply) and the claim-relation rules."""
