// Console entry; implemented in the simulator work (see README "Simulator").
return 0;
